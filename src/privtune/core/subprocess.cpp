#include "privtune/core/subprocess.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

#include "privtune/core/error.h"

extern char** environ;

namespace privtune::core {

std::string self_executable() {
  std::vector<char> buffer(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) throw Error(std::string("cannot find the running executable: ") + std::strerror(errno));
  return std::string(buffer.data(), static_cast<size_t>(n));
}

std::string host_name() {
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

namespace {

// The parent's environment with `extra` added, an entry of `extra` replacing the parent's
// variable of the same name.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> entries;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || name_of(x) == name_of(entry);
    if (!replaced) entries.push_back(entry);
  }
  entries.insert(entries.end(), extra.begin(), extra.end());
  return entries;
}

// The child's side of run_process, between fork and exec: only async-signal-safe calls.
// It dies with the thread that started it (PR_SET_PDEATHSIG), so that a sweep killed with
// SIGKILL leaves no training running on behind it. An exec failure's errno goes back through
// `error_fd` (closed on a successful exec).
[[noreturn]] void exec_child(char* const* args, char* const* envp, const char* out, const char* err, pid_t parent,
                             int error_fd) {
  int code = 0;
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
  auto redirect = [&](const char* path, int fd, int flags) {
    if (code != 0 || path == nullptr) return;
    const int opened = ::open(path, flags, 0644);
    if (opened < 0 || ::dup2(opened, fd) < 0) code = errno;
    if (opened >= 0 && opened != fd) ::close(opened);
  };
  redirect("/dev/null", STDIN_FILENO, O_RDONLY);
  redirect(out, STDOUT_FILENO, O_WRONLY | O_CREAT | O_APPEND);
  redirect(err, STDERR_FILENO, O_WRONLY | O_CREAT | O_APPEND);
  if (code == 0) {
    ::execve(args[0], args, envp);
    code = errno;
  }
  ssize_t written = ::write(error_fd, &code, sizeof code);
  (void)written;
  ::_exit(127);
}

// Forks and execs; returns the child's pid once exec succeeded, Error when it did not.
pid_t spawn(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path,
            const std::vector<std::string>& env) {
  if (argv.empty()) throw Error("run_process: no program");
  // Everything the child needs is built before fork: it may not allocate.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> environment = child_environment(env);
  std::vector<char*> envp;
  for (const std::string& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) throw Error(argv[0] + ": cannot start: " + std::strerror(errno));

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int why = errno;
    ::close(error_pipe[0]);
    ::close(error_pipe[1]);
    throw Error(argv[0] + ": cannot start: " + std::strerror(why));
  }
  if (pid == 0)
    exec_child(args.data(), envp.data(), stdout_path.empty() ? nullptr : stdout_path.c_str(),
               stderr_path.empty() ? nullptr : stderr_path.c_str(), parent, error_pipe[1]);
  ::close(error_pipe[1]);
  int exec_error = 0;
  ssize_t got = 0;
  do {
    got = ::read(error_pipe[0], &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof exec_error)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw Error(argv[0] + ": cannot start: " + std::strerror(exec_error));
  }
  return pid;
}

}  // namespace

int run_process(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path,
                const std::vector<std::string>& env) {
  const pid_t pid = spawn(argv, stdout_path, stderr_path, env);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error(argv[0] + ": waitpid failed: " + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

int start_process(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  return spawn(argv, "", "", env);
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

}  // namespace privtune::core
