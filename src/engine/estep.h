// emgmm engine: log densities, the E-step and sufficient statistics.
#ifndef EMGMM_ENGINE_ESTEP_H
#define EMGMM_ENGINE_ESTEP_H

#include <memory>

#include "types.h"

namespace emgmm {

// Everything the E-step needs from the parameters, precomputed once per
// iteration: log proportions, means and the upper Cholesky factor U_k of each
// covariance (Sigma_k = U_k' U_k) with the Gaussian normalising constant.
struct Components {
  Vector log_prop;          // k
  Matrix means;             // d x k
  std::vector<Matrix> chol; // k upper-triangular factors
  Vector log_norm;          // k: -(d log(2 pi) + log det Sigma_k) / 2
  Matrix inv_diag;          // d x k: 1 / diagonal of each factor
  bool diagonal = false;    // every covariance is diagonal
};

// Factorises the covariances.  A covariance that is not usable (the one
// definition, usable_covariance() in degenerate.h) gives Status::singular and
// its 0-based index in `bad`.
Status prepare_components(const Params& p, Components& out, int& bad);

// Rows per block: small enough that a block and its k projections stay in cache.
int block_rows(int d, int k);

// The E-step's scratch space, kept from one iteration to the next so that an
// EM run does not allocate it every iteration.
class EStepWorkspace {
 public:
  EStepWorkspace();
  ~EStepWorkspace();
  EStepWorkspace(EStepWorkspace&&) noexcept;
  EStepWorkspace& operator=(EStepWorkspace&&) noexcept;
  struct Impl;

 private:
  friend void estep_stats(DataMap, const Components&, ScatterKind, int, SuffStats&,
                          EStepWorkspace&);
  std::unique_ptr<Impl> impl_;
};

// One E-step: sufficient statistics (shifted by the current means) and the
// log-likelihood, accumulated over blocks of rows, one partial sum per thread
// merged in thread order (deterministic for a given thread count).
void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads, SuffStats& out,
                 EStepWorkspace& work);
void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads,
                 SuffStats& out);

// Posterior probabilities (n x k, may be null) and the log mixture density of
// each row (n, may be null) under the given components.
void estep_posterior(DataMap x, const Components& c, int threads, Matrix* posterior,
                     Vector* logdens);

// Statistics of a starting partition: labels in 0..k-1, one per row (a
// negative label leaves its row out, as for a start computed on a subset of
// the rows).
void stats_from_labels(DataMap x, const IntVector& labels, int k, ScatterKind kind, int threads,
                       SuffStats& out);

// Statistics of a starting point given as an n x k matrix of weights (a
// posterior matrix).
void stats_from_weights(DataMap x, DataMap weights, int k, ScatterKind kind, int threads,
                        SuffStats& out);

// The two passes behind stats_from_labels() and stats_from_weights(), for
// rows held in several places (each place makes a pass over its rows, and
// the results are added): with `means` null, the weights and the sums of
// each component about zero; then, with `means` the start_means() of the
// added first passes, the statistics about those means.
void labels_pass(DataMap x, const IntVector& labels, int k, const Matrix* means, ScatterKind kind,
                 int threads, SuffStats& out);
void weights_pass(DataMap x, DataMap weights, int k, const Matrix* means, ScatterKind kind,
                  int threads, SuffStats& out);
Matrix start_means(const SuffStats& first);

}  // namespace emgmm

#endif
