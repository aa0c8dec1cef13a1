// Each row's cross-entropy loss and greedy token straight from a block of float32 logits on the
// CPU, in two reads of the row and no writes: scoring (token_losses.h) needs only
// logsumexp(row) - row[target] and the argmax, and computing them through torch's log-softmax
// writes and re-reads an (n, V) tensor, which at a 50k vocabulary cost about half as much time
// as the LM head's product itself.
//
// Pass 1 finds the row's maximum m; pass 2 sums exp(x - m) (SLEEF's 1-ulp exp, eight lanes at
// a time where the CPU has AVX2 and FMA, else std::exp) and finds the first index holding m,
// torch's argmax convention. The loss is m + log(sum) - x[target], as torch computes it, the
// sums in a different order: the two agree to about 1e-6 relative.
#pragma once

#include <cstdint>

namespace privtune::eval {

// logits: rows x vocab, row-major; targets: rows ids in [0, vocab); losses: rows outputs;
// argmax: rows outputs, or null. Rows run in parallel (torch's intra-op threads). Returns
// false, with the outputs unspecified, when some row holds a NaN or an infinity or some target
// is outside the vocabulary: the caller then computes the block the ordinary way, whose
// conventions (and errors) for those are torch's.
bool logit_row_losses(const float* logits, int64_t rows, int64_t vocab, const int64_t* targets, float* losses,
                      int64_t* argmax);

// One implementation, for tests: `simd` false runs the portable loop even where AVX2 exists.
bool logit_row_losses(bool simd, const float* logits, int64_t rows, int64_t vocab, const int64_t* targets,
                      float* losses, int64_t* argmax);

}  // namespace privtune::eval
