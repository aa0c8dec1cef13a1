#include "privtune/dist/communicator.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL  // set by src/privtune/dist/CMakeLists.txt when torch and NCCL's header allow
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>

#include "privtune/core/error.h"

namespace privtune::dist {

namespace {

// An integer environment variable; Error naming it when it is not one.
std::optional<int> env_int(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 0 || value > 1000000)
    throw Error(std::string("environment variable ") + name + "='" + text + "': expected a non-negative integer");
  return static_cast<int>(value);
}

// The network interface Gloo talks through: GLOO_SOCKET_IFNAME when set (as in torch), the
// loopback when the group is on this machine, else the one the host name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* name = std::getenv("GLOO_SOCKET_IFNAME"); name && *name)
    return c10d::ProcessGroupGloo::createDeviceForInterface(name);
  if (master_addr == "localhost" || master_addr.rfind("127.", 0) == 0)
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// Why this worker cannot use NCCL, or "" when it can: NCCL runs one GPU per worker.
std::string nccl_obstacle(const World& world, torch::Device device) {
  if (!nccl_compiled())
    return "this build of privtune has no NCCL (it needs a CUDA build of torch and NCCL's nccl.h; docs/build.md)";
  if (!device.is_cuda()) return "this worker trains on the CPU (NCCL needs --device cuda)";
  const int gpus = static_cast<int>(torch::cuda::device_count());
  if (world.local_rank >= gpus)
    return "LOCAL_RANK=" + std::to_string(world.local_rank) + " but this machine has " + std::to_string(gpus) +
           " CUDA device(s), and NCCL needs a GPU per worker (--dist-backend gloo lets workers share one)";
  return "";
}

// True when every rank says true: each posts its answer in the store and reads the others'.
bool all_ranks_agree(c10d::Store& store, const World& world, const std::string& key, bool mine) {
  store.set(key + "/" + std::to_string(world.rank), std::vector<uint8_t>{static_cast<uint8_t>(mine ? 1 : 0)});
  bool all = true;
  for (int r = 0; r < world.world_size; ++r) all = store.get(key + "/" + std::to_string(r)).at(0) == 1 && all;
  return all;
}

#ifdef USE_C10D_NCCL
// torch >= 2.4 warns when a NCCL group is destroyed without shutdown(); older ones lack it.
template <typename Group>
auto shut_down(Group& group, int) -> decltype(group.shutdown(), void()) {
  group.shutdown();
}
template <typename Group>
void shut_down(Group&, long) {}
#endif

}  // namespace

Backend parse_backend(const std::string& name) {
  if (name == "auto") return Backend::kAuto;
  if (name == "gloo") return Backend::kGloo;
  if (name == "nccl") return Backend::kNccl;
  throw Error("--dist-backend: unknown value '" + name + "' (auto, gloo, nccl)");
}

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::kAuto: return "auto";
    case Backend::kGloo: return "gloo";
    case Backend::kNccl: return "nccl";
  }
  return "?";
}

bool nccl_compiled() {
#ifdef USE_C10D_NCCL
  return true;
#else
  return false;
#endif
}

std::optional<World> world_from_environment() {
  const std::optional<int> size = env_int("WORLD_SIZE");
  if (!size || *size <= 1) return std::nullopt;
  World w;
  w.world_size = *size;
  const std::optional<int> rank = env_int("RANK");
  if (!rank) throw Error("WORLD_SIZE is set but RANK is not (launch with `privtune launch` or torchrun)");
  if (*rank >= w.world_size)
    throw Error("RANK=" + std::to_string(*rank) + " is not below WORLD_SIZE=" + std::to_string(w.world_size));
  w.rank = *rank;
  w.local_rank = env_int("LOCAL_RANK").value_or(w.rank);
  if (const char* addr = std::getenv("MASTER_ADDR"); addr && *addr) w.master_addr = addr;
  if (const std::optional<int> port = env_int("MASTER_PORT")) {
    if (*port < 1 || *port > 65535) throw Error("MASTER_PORT=" + std::to_string(*port) + ": not a TCP port");
    w.master_port = *port;
  }
  return w;
}

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;  // one of the two groups is set
#ifdef USE_C10D_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
  ~Impl() {
    if (nccl) shut_down(*nccl, 0);
  }
#endif

  // op(group) on this worker's group; both have the same collective signatures.
  template <typename Op>
  void run(Op&& op) {
#ifdef USE_C10D_NCCL
    if (nccl) return op(*nccl);
#endif
    op(*gloo);
  }
};

Communicator::Communicator(World world, Backend backend, torch::Device buffers, std::unique_ptr<Impl> impl)
    : world_(std::move(world)), backend_(backend), buffers_(buffers), impl_(std::move(impl)) {}
Communicator::~Communicator() = default;

void Communicator::fail(const std::string& what, const std::exception& e) const {
  std::string why = e.what();
  why = why.substr(0, why.find('\n'));  // c10 errors append a stack trace
  throw Error("distributed training: rank " + std::to_string(world_.rank) + " of " +
              std::to_string(world_.world_size) + ": " + what + " failed (another worker died or stopped answering?): " +
              why);
}

std::unique_ptr<Communicator> Communicator::connect(const World& world, double timeout_s, Backend backend,
                                                   torch::Device device) {
  if (!(timeout_s > 0)) throw Error("--dist-timeout must be positive");
  const std::string obstacle = nccl_obstacle(world, device);
  if (backend == Backend::kNccl && !obstacle.empty())
    throw Error("--dist-backend nccl: rank " + std::to_string(world.rank) + ": " + obstacle);
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  auto impl = std::make_unique<Impl>();
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(world.master_port);
    options.isServer = world.rank == 0;
    options.numWorkers = world.world_size;
    options.waitWorkers = true;
    options.timeout = timeout;
    impl->store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
    if (backend == Backend::kAuto)
      backend = all_ranks_agree(*impl->store, world, "privtune/nccl", obstacle.empty()) ? Backend::kNccl : Backend::kGloo;
#ifdef USE_C10D_NCCL
    if (backend == Backend::kNccl) {
      c10::cuda::set_device(device.index());
      // wait() then blocks until the collective is done, and fails after the timeout instead
      // of leaving a dead peer to torch's watchdog (which ends the process without a word).
      setenv("TORCH_NCCL_BLOCKING_WAIT", "1", /*overwrite=*/0);
      auto nccl = c10d::ProcessGroupNCCL::Options::create();
      nccl->timeout = timeout;
      impl->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, world.rank, world.world_size, nccl);
    }
#endif
    if (backend == Backend::kGloo) {
      auto gloo = c10d::ProcessGroupGloo::Options::create();
      gloo->timeout = timeout;
      gloo->devices.push_back(gloo_device(world.master_addr));
      impl->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, world.rank, world.world_size, gloo);
    }
  } catch (const std::exception& e) {
    std::string why = e.what();
    throw Error("distributed training: rank " + std::to_string(world.rank) + " could not join the group at " +
                world.master_addr + ":" + std::to_string(world.master_port) + ": " + why.substr(0, why.find('\n')));
  }
  const torch::Device buffers = backend == Backend::kNccl ? device : torch::Device(torch::kCPU);
  return std::unique_ptr<Communicator>(new Communicator(world, backend, buffers, std::move(impl)));
}

void Communicator::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  // One flat float64 buffer: one collective per step whatever the parameter count, and sums
  // that do not depend on how many ranks took part.
  std::vector<torch::Tensor> flat_parts;
  for (const torch::Tensor& t : tensors) flat_parts.push_back(t.detach().reshape({-1}).to(buffers_, torch::kDouble));
  std::vector<torch::Tensor> buffer{torch::cat(flat_parts)};
  try {
    impl_->run([&](auto& group) { group.allreduce(buffer)->wait(); });
  } catch (const std::exception& e) {
    fail("gradient all-reduce", e);
  }
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (torch::Tensor& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(buffer[0].narrow(0, offset, n).view(t.sizes()));
    offset += n;
  }
}

std::vector<double> Communicator::sum(const std::vector<double>& values) {
  std::vector<torch::Tensor> buffer{torch::tensor(values, torch::kDouble).to(buffers_)};
  try {
    impl_->run([&](auto& group) { group.allreduce(buffer)->wait(); });
  } catch (const std::exception& e) {
    fail("all-reduce", e);
  }
  const torch::Tensor t = buffer[0].to(torch::kCPU);
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

void Communicator::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  for (torch::Tensor& t : tensors) {
    std::vector<torch::Tensor> buffer{t.detach().to(buffers_).contiguous()};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    try {
      impl_->run([&](auto& group) { group.broadcast(buffer, options)->wait(); });
    } catch (const std::exception& e) {
      fail("broadcast", e);
    }
    torch::NoGradGuard no_grad;
    t.copy_(buffer[0]);
  }
}

std::vector<std::string> Communicator::all_gather_text(const std::string& key, const std::string& mine) {
  std::vector<std::string> all;
  try {
    impl_->store->set(key + "/" + std::to_string(world_.rank), std::vector<uint8_t>(mine.begin(), mine.end()));
    for (int r = 0; r < world_.world_size; ++r) {
      const std::vector<uint8_t> bytes = impl_->store->get(key + "/" + std::to_string(r));
      all.emplace_back(bytes.begin(), bytes.end());
    }
  } catch (const std::exception& e) {
    fail("exchange of '" + key + "'", e);
  }
  return all;
}

void Communicator::barrier() {
  c10d::BarrierOptions options;
  if (buffers_.is_cuda()) options.device_ids = {buffers_.index()};  // NCCL: no guessing of the GPU
  try {
    impl_->run([&](auto& group) { group.barrier(options)->wait(); });
  } catch (const std::exception& e) {
    fail("barrier", e);
  }
}

}  // namespace privtune::dist
