// emgmm engine: model-based agglomerative hierarchical clustering, the
// deterministic start mclust uses (Banfield and Raftery 1993; Fraley 1998).
//
// Starting from singletons, the pair of groups whose merge costs least
// classification likelihood is merged, until one group is left.  Two criteria
// are provided, the two that mclust's Mclust() uses for its start:
//   * "VVV" (unconstrained covariances, regularised by alpha and beta as in
//     mclust's hcVVV), its default for n > d;
//   * "EII" (spherical, equal volume: Ward's criterion), for n <= d.
// The arithmetic follows mclust's Fortran (hcvvv, hceii) operation by
// operation, with the level-1 BLAS of the reference implementation, so that
// the merges are mclust's, ties included (the last pair in mclust's scan
// order wins).  The only change is how the cheapest pair is found: mclust
// scans all O(g^2) pairs after each merge; here each row of the pair table
// keeps its minimum and only rows whose entries changed are looked at again,
// which gives the same pair.
#ifndef EMGMM_ENGINE_HC_H
#define EMGMM_ENGINE_HC_H

#include <functional>
#include <utility>
#include <vector>

#include "types.h"

namespace emgmm {

// One merge: the two group labels joined (first < second), in mclust's
// numbering (the merged group keeps the smaller label).
using Merge = std::pair<int, int>;

enum class HcModel { VVV, EII };

// alpha of mclust's hcVVV: the total within-sum of squares of x / sqrt(n p),
// at least the double epsilon (mclust's traceW, computed as its Fortran does).
double hc_default_alpha(DataMap x);

// All n - 1 merges of the n rows of x (n >= 2).  `interrupted` (may be empty)
// is asked between rows of the first table of costs and between merges; when
// it says stop, the merges found so far are returned.  `alpha` and `beta` regularise "VVV" (mclust: alpha =
// hc_default_alpha(x), beta = 1).
std::vector<Merge> hc_merges(DataMap x, HcModel model, double alpha, double beta,
                             const Interrupt& interrupted);

// Labels (1-based, numbered in order of first appearance as mclust's hclass
// and partconv do) of the partition into g groups, for each g in `groups`
// (1 <= g <= n): an n x groups.size() matrix.
Eigen::MatrixXi hc_partitions(const std::vector<Merge>& merges, int n,
                              const std::vector<int>& groups);

}  // namespace emgmm

#endif
