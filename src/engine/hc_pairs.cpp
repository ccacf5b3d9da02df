// emgmm engine, hierarchical clustering: the table of pair costs and the
// search for the cheapest pair (see hc_pairs.h), and mclust's relabelling of
// the merges.
#include "hc_pairs.h"

#include <algorithm>
#include <utility>

#include "hc_blas.h"

namespace emgmm {
namespace hc_detail {

PairTable::PairTable(int g)
    : d_(new double[static_cast<std::size_t>(packed(g)) + 1]),
      rmin_(static_cast<std::size_t>(g) + 1, kFlmax),
      rarg_(static_cast<std::size_t>(g) + 1, 0) {}

void PairTable::wardsw(int i, int n) {
  double* d = d_.get();
  const int i1 = i - 1;
  std::ptrdiff_t ii = packed(i1) + 1;
  const int n1 = n - 1;
  std::ptrdiff_t nn = packed(n1) + 1;
  for (int t = 0; t < i1; ++t) std::swap(d[nn + t], d[ii + t]);
  ii = ii + i1 + i1;
  nn = nn + i;
  if (n1 == i) return;
  int k = i;
  do {
    std::swap(d[ii], d[nn]);
    ii = ii + k;
    nn = nn + 1;
    k = k + 1;
  } while (k < n1);
}

void PairTable::rescan(int j) {
  const double* row = d_.get() + packed(j - 1);
  double best = row[1];
  int arg = 1;
  for (int i = 2; i < j; ++i) {
    if (row[i] <= best) {
      best = row[i];
      arg = i;
    }
  }
  rmin_[static_cast<std::size_t>(j)] = best;
  rarg_[static_cast<std::size_t>(j)] = arg;
}

void PairTable::rescan_all(int g) {
  for (int j = 2; j <= g; ++j) rescan(j);
}

void PairTable::refresh(int a, int b, int g) {
  for (int j = a + 1; j <= g; ++j) {
    if (j == b) continue;
    const std::size_t sj = static_cast<std::size_t>(j);
    const int arg = rarg_[sj];
    const bool b_changed = j > b;
    if (arg == a || (b_changed && arg == b)) {
      rescan(j);
      continue;
    }
    consider(j, a);
    if (b_changed) consider(j, b);
  }
  if (a >= 2) rescan(a);
  if (b <= g) rescan(b);
}

void PairTable::argmin(int g, int& iopt, int& jopt, double& dopt) const {
  dopt = rmin_[2];
  jopt = 2;
  for (int j = 3; j <= g; ++j) {
    if (rmin_[static_cast<std::size_t>(j)] <= dopt) {
      dopt = rmin_[static_cast<std::size_t>(j)];
      jopt = j;
    }
  }
  iopt = rarg_[static_cast<std::size_t>(jopt)];
}

// Entry (j, i) competes for row j's minimum; an equal entry wins when its
// column is larger (later in scan order).
void PairTable::consider(int j, int i) {
  const std::size_t sj = static_cast<std::size_t>(j);
  const double v = d_[static_cast<std::size_t>(index(j, i))];
  if (v < rmin_[sj] || (v == rmin_[sj] && i > rarg_[sj])) {
    rmin_[sj] = v;
    rarg_[sj] = i;
  }
}

std::vector<Merge> relabel(const std::vector<Merge>& slots, int ng) {
  std::vector<int> ic(static_cast<std::size_t>(ng) + 1);
  for (int i = 1; i <= ng; ++i) ic[static_cast<std::size_t>(i)] = i;
  std::vector<Merge> out;
  out.reserve(slots.size());
  if (slots.empty()) return out;
  const double si = slots[0].first;
  const double sj = slots[0].second;
  ic[static_cast<std::size_t>(slots[0].second)] = ng;
  out.emplace_back(static_cast<int>(std::min(si, sj)), static_cast<int>(std::max(si, sj)));
  const int lg = ng + 1;
  for (std::size_t k = 2; k <= slots.size(); ++k) {
    const int i = slots[k - 1].first;
    const int j = slots[k - 1].second;
    const int ici = ic[static_cast<std::size_t>(i)];
    const int icj = ic[static_cast<std::size_t>(j)];
    if (ici > icj) ic[static_cast<std::size_t>(i)] = icj;
    ic[static_cast<std::size_t>(j)] = ic[static_cast<std::size_t>(lg - static_cast<int>(k))];
    out.emplace_back(std::min(ici, icj), std::max(ici, icj));
  }
  return out;
}

}  // namespace hc_detail
}  // namespace emgmm
