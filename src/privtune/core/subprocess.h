// Running another program (usually privtune itself) as a child process with its output in
// files: the demo and sweeps run each training and evaluation in a process of its own, so
// that a run's peak memory is its own and a crash stays contained.
#pragma once

#include <string>
#include <vector>

namespace privtune::core {

// The path of the running executable (/proc/self/exe resolved).
std::string self_executable();

// This machine's host name ("unknown" when it cannot be read), recorded with sweep runs.
std::string host_name();

// Runs argv[0] with argv (no shell), stdin from /dev/null, stdout and stderr appended to
// the given files ("" keeps the parent's), the parent's environment plus `env` (NAME=VALUE
// entries, replacing variables of the same name). Waits; returns the exit code, or
// 128 + signal when the child was killed. Error when it cannot be started. The child is
// killed when the calling thread dies (Linux PR_SET_PDEATHSIG): nothing runs on behind a
// killed sweep.
int run_process(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path,
                const std::vector<std::string>& env = {});

// Starts argv[0] with argv (no shell) and the parent's environment plus `env`, stdin from
// /dev/null, stdout and stderr shared with the parent; returns its pid without waiting.
// Like run_process, the child dies with the calling thread.
int start_process(const std::vector<std::string>& argv, const std::vector<std::string>& env);

// The last non-empty line of a text file ("" when there is none), e.g. a child's error.
std::string last_line(const std::string& path);

}  // namespace privtune::core
