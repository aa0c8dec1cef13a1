// privtune launch --nproc N [--master-addr A] [--master-port P] -- train ...: starts N
// workers of a data-parallel run on this machine, each `privtune <command>` with the
// environment torchrun sets (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), and
// stops them all when one fails (docs/distributed.md).
#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "privtune/cli/commands.h"
#include "privtune/core/error.h"
#include "privtune/core/subprocess.h"

namespace privtune::cli {

namespace {

// A TCP port that was free a moment ago on the loopback (the kernel's choice).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("launch: cannot open a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0;
  ::close(fd);
  if (!ok) throw Error("launch: cannot find a free port (pass --master-port)");
  return ntohs(address.sin_port);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

}  // namespace

void add_launch_command(CLI::App& root) {
  struct Flags {
    int nproc = 2, master_port = 0;
    std::string master_addr = "127.0.0.1";
    std::vector<std::string> command;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("launch", "Start N data-parallel workers of a privtune command on this machine");
  cmd->add_option("--nproc", f->nproc, "Workers to start")->capture_default_str();
  cmd->add_option("--master-addr", f->master_addr, "Address of rank 0's store")->capture_default_str();
  cmd->add_option("--master-port", f->master_port, "Port of rank 0's store (default: a free one)");
  cmd->add_option("command", f->command, "The privtune command after --, e.g. -- train --model ...")->required();
  cmd->positionals_at_end();
  cmd->callback([f] {
    if (f->nproc < 1 || f->nproc > 64) throw Error("--nproc must be in 1..64");
    if (f->master_port < 0 || f->master_port > 65535) throw Error("--master-port must be a TCP port");
    if (f->command.empty() || f->command[0] != "train")
      throw Error("launch runs `train` workers: privtune launch --nproc N -- train --model ...");
    const int port = f->master_port > 0 ? f->master_port : free_port();
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::string threads = std::to_string(std::max(1u, cores / static_cast<unsigned>(f->nproc)));

    std::vector<std::string> argv = {core::self_executable()};
    argv.insert(argv.end(), f->command.begin(), f->command.end());
    std::vector<int> pids;
    for (int rank = 0; rank < f->nproc; ++rank) {
      std::vector<std::string> env = {"RANK=" + std::to_string(rank), "LOCAL_RANK=" + std::to_string(rank),
                                      "WORLD_SIZE=" + std::to_string(f->nproc), "MASTER_ADDR=" + f->master_addr,
                                      "MASTER_PORT=" + std::to_string(port)};
      if (std::getenv("OMP_NUM_THREADS") == nullptr) env.push_back("OMP_NUM_THREADS=" + threads);  // cores shared
      pids.push_back(core::start_process(argv, env));
    }

    // Wait for all; the first failure stops the others (TERM, then KILL after a grace).
    int result = 0;
    int running = f->nproc;
    std::chrono::steady_clock::time_point stop_deadline{};
    bool stopping = false;
    while (running > 0) {
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, stopping ? WNOHANG : 0);
      if (pid < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (pid == 0) {  // stopping, none exited yet
        if (std::chrono::steady_clock::now() > stop_deadline)
          for (int p : pids)
            if (p > 0) ::kill(p, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      int rank = 0;
      while (rank < f->nproc && pids[static_cast<size_t>(rank)] != pid) ++rank;
      if (rank == f->nproc) continue;
      pids[static_cast<size_t>(rank)] = -1;
      --running;
      const int code = exit_code(status);
      if (code != 0 && !stopping) {
        result = code;
        std::fprintf(stderr, "privtune launch: worker %d exited with code %d; stopping the other workers\n", rank, code);
        for (int p : pids)
          if (p > 0) ::kill(p, SIGTERM);
        stopping = true;
        stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      }
    }
    if (result != 0) throw Error("launch: a worker failed (exit " + std::to_string(result) + "); see its message above");
  });
}

}  // namespace privtune::cli
