// emgmm engine, hierarchical clustering (internal): the table of the costs of
// merging each pair of groups, packed by rows as mclust stores it, with the
// search for the cheapest pair (PairTable); and mclust's final relabelling of
// the merges from working slots to group labels (relabel).
#ifndef EMGMM_ENGINE_HC_PAIRS_H
#define EMGMM_ENGINE_HC_PAIRS_H

#include <cstddef>
#include <memory>
#include <vector>

#include "hc.h"

namespace emgmm {
namespace hc_detail {

// Entry (j, i), i < j <= g, is d[(j-1)(j-2)/2 + i] (1-based).  mclust finds
// the cheapest pair by scanning all entries in this order and keeping the
// last one that is <= the minimum so far.  Here every row keeps its minimum
// and the largest column attaining it; after a merge only the rows whose
// entries changed are refreshed, and the rows are compared in order, so the
// pair found is the same.
class PairTable {
 public:
  explicit PairTable(int g);

  static std::ptrdiff_t packed(int g) {
    return static_cast<std::ptrdiff_t>(g) * (g - 1) / 2;
  }
  static std::ptrdiff_t index(int j, int i) { return packed(j - 1) + i; }

  // 1-based: data()[1] is (2, 1).  Not initialised: the caller writes every
  // entry (for n = 30000 rows the table is 3.6 GB, and filling it with zeros
  // first would take seconds with no chance to interrupt).
  double* data() { return d_.get(); }

  // Swaps group slots i < n as mclust's wardsw does (slot n is to be dropped).
  void wardsw(int i, int n);

  // Recomputes the minimum of row j (all of it), or of rows 2..g.
  void rescan(int j);
  void rescan_all(int g);

  // After slot `a` was rewritten (its row and its column) and slot `b` > a
  // received another group (its row and column replaced), for g groups.
  void refresh(int a, int b, int g);

  // The cheapest pair among g groups, ties to the last in scan order.
  void argmin(int g, int& iopt, int& jopt, double& dopt) const;

 private:
  void consider(int j, int i);

  std::unique_ptr<double[]> d_;
  std::vector<double> rmin_;
  std::vector<int> rarg_;
};

// mclust's final relabelling: merges of working slots (iopt, jopt) to pairs
// of group labels, the merged group keeping the smaller label.
std::vector<Merge> relabel(const std::vector<Merge>& slots, int ng);

}  // namespace hc_detail
}  // namespace emgmm

#endif
