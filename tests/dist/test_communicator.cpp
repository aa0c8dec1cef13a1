// The communicator's collectives: two ranks on two threads of this process over Gloo on the
// loopback; on a GPU, one rank over NCCL (NCCL refuses two ranks on one GPU, so a two-rank
// NCCL group needs a machine with two); and what --dist-backend nccl refuses, and why.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "privtune/core/error.h"
#include "privtune/dist/communicator.h"

namespace privtune {
namespace {

dist::World world_of(int rank, int size, int port) {
  dist::World w;
  w.rank = rank, w.world_size = size, w.local_rank = rank, w.master_port = port;
  return w;
}

// A port unlikely to clash with another test program running beside this one.
int test_port(int offset) { return 20000 + (static_cast<int>(::getpid()) * 3 + offset) % 20000; }

// What one rank saw of every collective.
struct Seen {
  dist::Backend backend = dist::Backend::kAuto;
  torch::Tensor reduced_double, reduced_float, broadcast;
  std::vector<double> sums;
  std::vector<std::string> texts;
  std::string error;
};

Seen run_collectives(const dist::World& world, torch::Device device) {
  Seen seen;
  try {
    auto comm = dist::Communicator::connect(world, 60, dist::Backend::kAuto, device);
    seen.backend = comm->backend();
    const double r = world.rank;
    std::vector<torch::Tensor> grads{torch::full({3}, r + 1, torch::dtype(torch::kDouble).device(device)),
                                     torch::full({2, 2}, 10 * (r + 1), torch::dtype(torch::kFloat).device(device))};
    comm->all_reduce_sum(grads);
    EXPECT_EQ(grads[0].device(), device);  // in place, where the tensors live
    seen.reduced_double = grads[0].cpu(), seen.reduced_float = grads[1].cpu();
    seen.sums = comm->sum({0.5 * r, 1.0});
    std::vector<torch::Tensor> weights{torch::full({4}, r + 7, torch::dtype(torch::kFloat).device(device))};
    comm->broadcast(weights, 0);
    seen.broadcast = weights[0].cpu();
    seen.texts = comm->all_gather_text("test", "rank " + std::to_string(world.rank));
    comm->barrier();
  } catch (const std::exception& e) {
    seen.error = e.what();
  }
  return seen;
}

TEST(Communicator, TwoGlooRanksSumBroadcastAndGather) {
  const int port = test_port(1);
  Seen seen[2];
  std::thread second([&] { seen[1] = run_collectives(world_of(1, 2, port), torch::kCPU); });
  seen[0] = run_collectives(world_of(0, 2, port), torch::kCPU);
  second.join();
  for (const Seen& s : seen) {
    ASSERT_EQ(s.error, "");
    EXPECT_EQ(s.backend, dist::Backend::kGloo);  // auto on the CPU
    EXPECT_TRUE(torch::equal(s.reduced_double, torch::full({3}, 3.0, torch::kDouble)));  // 1 + 2
    EXPECT_TRUE(torch::equal(s.reduced_float, torch::full({2, 2}, 30.0, torch::kFloat)));
    EXPECT_EQ(s.sums, (std::vector<double>{0.5, 2.0}));
    EXPECT_TRUE(torch::equal(s.broadcast, torch::full({4}, 7.0, torch::kFloat)));  // rank 0's
    EXPECT_EQ(s.texts, (std::vector<std::string>{"rank 0", "rank 1"}));
  }
}

TEST(Communicator, NcclIsRefusedWhereItCannotServe) {
  // On the CPU (and in a build without NCCL) the refusal comes before any connection.
  try {
    dist::Communicator::connect(world_of(0, 2, test_port(2)), 5, dist::Backend::kNccl, torch::kCPU);
    FAIL() << "NCCL accepted a CPU worker";
  } catch (const Error& e) {
    const std::string why = e.what();
    EXPECT_NE(why.find("--dist-backend nccl: rank 0: "), std::string::npos) << why;
    EXPECT_NE(why.find(dist::nccl_compiled() ? "--device cuda" : "no NCCL"), std::string::npos) << why;
  }
  if (!dist::nccl_compiled() || !torch::cuda::is_available()) return;
  // More workers on this machine than GPUs: NCCL cannot share one.
  dist::World crowded = world_of(0, 2, test_port(3));
  crowded.local_rank = static_cast<int>(torch::cuda::device_count());
  try {
    dist::Communicator::connect(crowded, 5, dist::Backend::kNccl, torch::Device(torch::kCUDA, 0));
    FAIL() << "NCCL accepted a worker without a GPU of its own";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPU per worker"), std::string::npos) << e.what();
  }
}

TEST(Communicator, OneRankOnAGpuUsesNccl) {
  if (!dist::nccl_compiled()) GTEST_SKIP() << "this build has no NCCL";
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const Seen s = run_collectives(world_of(0, 1, test_port(4)), torch::Device(torch::kCUDA, 0));
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.backend, dist::Backend::kNccl);  // auto, with a GPU of its own
  EXPECT_TRUE(torch::equal(s.reduced_double, torch::full({3}, 1.0, torch::kDouble)));
  EXPECT_TRUE(torch::equal(s.reduced_float, torch::full({2, 2}, 10.0, torch::kFloat)));
  EXPECT_EQ(s.sums, (std::vector<double>{0.0, 1.0}));
  EXPECT_TRUE(torch::equal(s.broadcast, torch::full({4}, 7.0, torch::kFloat)));
  EXPECT_EQ(s.texts, (std::vector<std::string>{"rank 0"}));
}

}  // namespace
}  // namespace privtune
