// Which rows of a micro-batch are clipped together: each row alone (example-level DP), or
// the rows of one user together (user-level DP: the unit's gradient is the sum of its rows'
// gradients, and that sum is what gets clipped). B rows, G groups.
#pragma once

#include <torch/torch.h>

namespace privtune::dp {

class RowGroups {
 public:
  // `groups` undefined: one group per row. Else (B) integer group ids 0..G-1 (G = largest
  // id + 1; an id with no rows is an empty group). privtune::Error for a wrong length, a
  // non-integer dtype or a negative id.
  RowGroups(const torch::Tensor& groups, int64_t rows);

  int64_t count() const { return count_; }  // G
  int64_t rows() const { return rows_; }    // B
  // The most rows any group has: a group's positions are this many rows' worth.
  int64_t largest() const { return largest_; }

  // (B, ...) -> (G, ...): each group's rows summed.
  torch::Tensor sum_rows(const torch::Tensor& per_row) const;
  // (B, L, ...) -> (G, largest * L, ...): each group's rows laid one after another along
  // the position axis, zero-padded to the largest group. A ghost kernel over these positions
  // then includes the cross terms between rows of one group.
  torch::Tensor concat_positions(const torch::Tensor& per_row) const;
  // (G) -> (B): each row gets its group's value.
  torch::Tensor of_rows(const torch::Tensor& per_group) const;

 private:
  bool one_per_row() const { return !group_.defined(); }

  int64_t rows_, count_, largest_ = 1;
  torch::Tensor group_;  // (B) int64: the group of each row; undefined for one per row
  torch::Tensor slot_;   // (B) int64: group * largest + the row's rank within its group
};

}  // namespace privtune::dp
