// Data-parallel training on torch's distributed engine (c10d): the workers of one run find
// each other through a TCP store at MASTER_ADDR:MASTER_PORT (the environment torchrun and
// `privtune launch` set) and exchange gradients with NCCL collectives (one GPU per worker) or
// Gloo collectives (on the CPU). docs/distributed.md.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace privtune::dist {

struct World {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
};

// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; nullopt when WORLD_SIZE is unset
// or 1. Error naming the variable for a malformed or inconsistent value.
std::optional<World> world_from_environment();

// Which collectives library: kAuto is NCCL when every worker trains on a CUDA device of its
// own and this build has NCCL, else Gloo (decided together, so every worker agrees).
enum class Backend { kAuto, kGloo, kNccl };
Backend parse_backend(const std::string& name);  // "auto", "gloo", "nccl"; Error otherwise
const char* backend_name(Backend backend);
bool nccl_compiled();  // built against a torch with NCCL and NCCL's header (docs/build.md)

// One process's membership of the group. Every collective must be called by every rank in
// the same order. A rank that dies or stops answering makes the others' next collective
// fail within `timeout_s` with an Error naming this rank (never a hang).
class Communicator {
 public:
  // `device`: where this worker trains (a CUDA device for NCCL). Error naming the setting when
  // NCCL is asked for but cannot serve (no NCCL in this build, a CPU device, or more workers on
  // this machine than GPUs).
  static std::unique_ptr<Communicator> connect(const World& world, double timeout_s, Backend backend = Backend::kGloo,
                                               torch::Device device = torch::kCPU);
  ~Communicator();

  int rank() const { return world_.rank; }
  int world_size() const { return world_.world_size; }
  Backend backend() const { return backend_; }  // never kAuto

  // In place: each tensor becomes the sum over ranks (through the CPU under Gloo, on the GPU
  // under NCCL).
  void all_reduce_sum(std::vector<torch::Tensor>& tensors);
  // The sum over ranks of small numbers (row counts, losses), in float64.
  std::vector<double> sum(const std::vector<double>& values);
  // In place: every rank gets rank `root`'s values.
  void broadcast(std::vector<torch::Tensor>& tensors, int root);
  // Every rank's `mine`, indexed by rank, on every rank (through the store); `key` must be
  // unique to this exchange.
  std::vector<std::string> all_gather_text(const std::string& key, const std::string& mine);
  void barrier();

 private:
  struct Impl;
  Communicator(World world, Backend backend, torch::Device buffers, std::unique_ptr<Impl> impl);
  [[noreturn]] void fail(const std::string& what, const std::exception& e) const;

  World world_;
  Backend backend_;
  torch::Device buffers_;  // where collectives' buffers live: the CPU for Gloo, the GPU for NCCL
  std::unique_ptr<Impl> impl_;
};

}  // namespace privtune::dist
