#include "privtune/dp/row_groups.h"

#include <string>
#include <vector>

#include "privtune/core/error.h"

namespace privtune::dp {

RowGroups::RowGroups(const torch::Tensor& groups, int64_t rows) : rows_(rows), count_(rows) {
  if (!groups.defined()) return;
  const std::string where = "per-example clipping: groups";
  check_input(groups.dim() == 1 && groups.size(0) == rows,
              where + " must be one group id per row (" + std::to_string(rows) + "), got shape " +
                  c10::str(groups.sizes()));
  check_input(torch::isIntegralType(groups.scalar_type(), /*includeBool=*/false),
              where + " must be integer ids, got " + std::string(c10::toString(groups.scalar_type())));
  const torch::Tensor cpu_groups = groups.to(torch::kCPU, torch::kLong).contiguous();
  const int64_t* group = cpu_groups.data_ptr<int64_t>();
  std::vector<int64_t> size;
  std::vector<int64_t> rank(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    check_input(group[i] >= 0, where + " has a negative id (" + std::to_string(group[i]) + ")");
    const auto g = static_cast<size_t>(group[i]);
    if (g >= size.size()) size.resize(g + 1, 0);
    rank[static_cast<size_t>(i)] = size[g]++;
  }
  count_ = static_cast<int64_t>(size.size());
  for (int64_t s : size) largest_ = std::max(largest_, s);
  // Both indices on the device the ids came from, the per-row tensors' device, so that the
  // calls below copy nothing from the host.
  group_ = groups.to(torch::kLong);
  slot_ = (cpu_groups * largest_ + torch::tensor(rank, torch::kLong)).to(groups.device());
}

torch::Tensor RowGroups::sum_rows(const torch::Tensor& per_row) const {
  if (one_per_row()) return per_row;
  auto sizes = per_row.sizes().vec();
  sizes[0] = count_;
  return torch::zeros(sizes, per_row.options()).index_add_(0, group_.to(per_row.device()), per_row);
}

torch::Tensor RowGroups::concat_positions(const torch::Tensor& per_row) const {
  if (one_per_row()) return per_row;
  auto sizes = per_row.sizes().vec();  // (B, L, ...)
  sizes[0] = count_ * largest_;
  torch::Tensor slots = torch::zeros(sizes, per_row.options()).index_copy_(0, slot_.to(per_row.device()), per_row);
  sizes[0] = count_;
  sizes[1] *= largest_;
  return slots.view(sizes);  // (G * largest, L, ...) -> (G, largest * L, ...)
}

torch::Tensor RowGroups::of_rows(const torch::Tensor& per_group) const {
  if (one_per_row()) return per_group;
  return per_group.index_select(0, group_.to(per_group.device()));
}

}  // namespace privtune::dp
