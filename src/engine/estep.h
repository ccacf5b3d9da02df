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
                          EStepWorkspace&, const double*);
  std::unique_ptr<Impl> impl_;
};

// One E-step: sufficient statistics (shifted by the current means) and the
// log-likelihood, accumulated over blocks of rows, one partial sum per thread
// merged in part order (the same for every thread count).  `rw`, when not
// null, holds one non-negative weight per row (frequency weights): a row of
// weight w counts as w rows in the statistics and the log-likelihood.
void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads, SuffStats& out,
                 EStepWorkspace& work, const double* rw = nullptr);
void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads,
                 SuffStats& out, const double* rw = nullptr);

// Posterior probabilities (n x k, may be null) and the log mixture density of
// each row (n, may be null) under the given components.
void estep_posterior(DataMap x, const Components& c, int threads, Matrix* posterior,
                     Vector* logdens);

// Statistics of a starting partition: labels in 0..k-1, one per row (a
// negative label leaves its row out, as for a start computed on a subset of
// the rows).  `rw`: row weights, as for estep_stats().
void stats_from_labels(DataMap x, const IntVector& labels, int k, ScatterKind kind, int threads,
                       SuffStats& out, const double* rw = nullptr);

// Statistics of a starting point given as an n x k matrix of weights (a
// posterior matrix).
void stats_from_weights(DataMap x, DataMap weights, int k, ScatterKind kind, int threads,
                        SuffStats& out, const double* rw = nullptr);

// The two passes behind stats_from_labels() and stats_from_weights(), for
// rows held in several places (each place makes a pass over its rows, and
// the results are added): with `means` null, the weights and the sums of
// each component about zero; then, with `means` the start_means() of the
// added first passes, the statistics about those means.
void labels_pass(DataMap x, const IntVector& labels, int k, const Matrix* means, ScatterKind kind,
                 int threads, SuffStats& out, const double* rw = nullptr);
void weights_pass(DataMap x, DataMap weights, int k, const Matrix* means, ScatterKind kind,
                  int threads, SuffStats& out, const double* rw = nullptr);
Matrix start_means(const SuffStats& first);


// Rows with missing values (NaN), grouped by the pattern of their observed
// coordinates: the rows of a pattern share one factorisation per component
// in every E-step.  A row with no value observed is in no pattern.
struct Pattern {
  std::vector<Eigen::Index> obs;   // observed columns (0-based), increasing
  std::vector<Eigen::Index> mis;   // missing columns
  Matrix x;                        // rows x obs: the observed values
  std::vector<Eigen::Index> rows;  // their rows in the data (0-based)
  Vector w;                        // their weights (empty: all 1)
};

struct MissingRows {
  Eigen::Index n = 0, d = 0;
  std::vector<Pattern> patterns;   // complete rows, if any, first
  std::vector<Eigen::Index> empty; // rows with no value observed
};

// Groups the rows of x (NaN = missing) by pattern; `rw`: row weights or null
// (rows of weight zero are left out).
MissingRows group_patterns(DataMap x, const double* rw);

// The E-step on rows with missing values: each row's log-density is that of
// its observed coordinates (the marginal Gaussian), and the statistics hold
// the conditional expectations of its missing coordinates and of their
// cross-products given the observed ones, so that every model's M-step
// takes the expected scatter.  Returns false when a marginal covariance is
// not usable (out.loglik is then NaN).
bool estep_stats_missing(const MissingRows& m, const Params& p, ScatterKind kind, int threads,
                         SuffStats& out);

// Posteriors (n x k), log densities of the observed coordinates (n) and the
// data with each missing value replaced by its conditional mean (n x d),
// each may be null.  A row with no value observed gets the proportions as
// its posterior and log density 0.
bool estep_posterior_missing(const MissingRows& m, const Params& p, int threads,
                             Matrix* posterior, Vector* logdens, Matrix* completed);

}  // namespace emgmm

#endif
