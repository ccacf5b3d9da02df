// emgmm engine: starting partitions (k-means++ seeding, Lloyd iterations,
// random centres).  Random numbers come from the caller's uniform source.
#ifndef EMGMM_ENGINE_INIT_H
#define EMGMM_ENGINE_INIT_H

#include "types.h"

namespace emgmm {

struct KmeansResult {
  Matrix centers;     // d x k
  IntVector labels;   // n, 0-based
  double inertia = 0.0;  // within-cluster sum of squares
  int iterations = 0;
};

// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with 2 + log k
// candidate centres per step as scikit-learn does): d x k centres.
// With row weights `rw` (null: none) each row counts as its weight: rows
// are drawn with probability proportional to weight times squared distance,
// as if each row were repeated as its weight says.
Matrix kmeanspp_centers(DataMap x, int k, const UniformSource& uniform, int threads,
                        const double* rw = nullptr);

// In the functions below, `interrupted` (may be empty) is the caller's
// interrupt check, asked between passes over the rows; once it says stop, they
// return what they have.

// k observations with distinct values, chosen uniformly at random: d x k centres.
Matrix random_centers(DataMap x, int k, const UniformSource& uniform,
                      const double* rw = nullptr);

// Lloyd iterations from `centers` until no label changes or max_iter
// iterations (max_iter = 0 only assigns each row to its nearest centre).  An
// empty cluster is moved to the row farthest from its centre.
KmeansResult lloyd(DataMap x, Matrix centers, int max_iter, int threads,
                   const Interrupt& interrupted = nullptr, const double* rw = nullptr);

// Relabels 0-based labels in order of first appearance, so that equal
// partitions have equal label vectors.
void canonical_labels(IntVector& labels);

// n_init starting partitions ("kmeans": k-means++ then Lloyd; "random":
// random centres, nearest assignment), duplicates removed.  Even-numbered
// starts work on standardised variables, odd-numbered ones on the variables
// as they are (both centred).  Interrupted, it returns the starts found so
// far (possibly none).
std::vector<IntVector> start_partitions(DataMap x, int k, int n_init, bool kmeans,
                                        const UniformSource& uniform, int threads,
                                        const Interrupt& interrupted = nullptr,
                                        const double* rw = nullptr);

}  // namespace emgmm

#endif
