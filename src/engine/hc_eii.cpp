// emgmm engine, hierarchical clustering: the EII merger, mclust's hceii --
// Ward's criterion, kept up to date by the Lance-Williams update -- for the
// partition into singletons (see hc.h and hc_mergers.h).
//
// The cost of merging groups i and j is the increase in the within-group sum
// of squares, n_i n_j / (n_i + n_j) |mean_i - mean_j|^2; after a merge the
// costs of the new group follow from the old ones (Lance and Williams 1967).
// As in hc_vvv.cpp, the code mirrors mclust's Fortran statement by statement,
// the same order of every floating-point operation included, because merges
// are decided by comparisons that rounding can flip.
#include "hc_mergers.h"

#include <cmath>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "hc_blas.h"
#include "hc_pairs.h"

namespace emgmm {
namespace hc_detail {

namespace {

// The pair to merge next, in mclust's hceii terms (its variable in brackets).
struct WardPair {
  int i = 0, j = 0;      // the two groups' slots, i < j (iopt, jopt)
  double cost = kFlmax;  // the increase in the within-group sum of squares (dopt)
};

}  // namespace

std::vector<Merge> hc_eii(DataMap data, const Interrupt& interrupted) {
  const int n = static_cast<int>(data.rows());
  const int p = static_cast<int>(data.cols());
  const int ng = n;
  const int ns = n - 1;
  std::vector<Merge> slots;
  if (ng < 2) return slots;
  slots.reserve(static_cast<std::size_t>(ns));
  std::vector<double> xbuf(static_cast<std::size_t>(n) * p);
  for (int j = 0; j < p; ++j) {
    for (int i = 0; i < n; ++i) xbuf[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * n] = data(i, j);
  }
  FMat x{xbuf.data(), n};
  std::vector<int> ic(static_cast<std::size_t>(n) + 1, 1);  // group sizes
  std::vector<double> v(static_cast<std::size_t>(p));
  PairTable table(ng);
  double* d = table.data();

  // the cost of every pair of singletons (half their squared distance); the cheapest
  WardPair best;
  std::ptrdiff_t ij = 0;
  for (int j = 2; j <= ng; ++j) {
    if (interrupted && interrupted()) return slots;  // no merge yet
    const double rj = 1.0;
    for (int i = 1; i <= j - 1; ++i) {
      const double ri = 1.0;
      const double rij = 2.0;
      const double si = std::sqrt(ri / rij);
      const double sj = std::sqrt(rj / rij);
      dcopy(p, x.at(i, 1), n, v.data(), 1);
      dscal(p, sj, v.data(), 1);
      daxpy(p, -si, x.at(j, 1), n, v.data(), 1);
      const double dij = ddot(p, v.data(), 1, v.data(), 1);
      d[++ij] = dij;
      if (dij <= best.cost) {
        best.cost = dij;
        best.i = i;
        best.j = j;
      }
    }
  }
  table.rescan_all(ng);
  if (ns == 1) {
    slots.emplace_back(best.i, best.j);
    return relabel(slots, ng);
  }

  int lg = ng;
  std::ptrdiff_t ld = PairTable::packed(ng);
  int ls = 1;
  for (;;) {
    // merge best.i and best.j (i < j) into slot i; slot lg moves to j
    const int ni = ic[static_cast<std::size_t>(best.i)];
    const int nj = ic[static_cast<std::size_t>(best.j)];
    ic[static_cast<std::size_t>(best.i)] = ni + nj;
    ic[static_cast<std::size_t>(best.j)] = -best.i;
    if (best.j != lg) {
      table.wardsw(best.j, lg);
      std::swap(ic[static_cast<std::size_t>(best.j)], ic[static_cast<std::size_t>(lg)]);
    }
    // the sizes as doubles (mclust's si, sj, sij: not square roots here)
    const double si = ni;
    const double sj = nj;
    const double sij = ni + nj;
    const double dold = best.cost;
    const int iold = best.i;
    const int jold = best.j;
    lg = lg - 1;
    ld = ld - lg;
    const std::ptrdiff_t ii = PairTable::packed(iold);  // iold (iold - 1) / 2
    if (iold > 1) {
      std::ptrdiff_t ik = ii - iold + 1;
      for (int j = 1; j <= iold - 1; ++j) {
        const double rj = ic[static_cast<std::size_t>(j)];
        ik = ik + 1;
        const std::ptrdiff_t jk = ld + j;
        double dij = (rj + si) * d[ik] + (rj + sj) * d[jk];
        dij = (dij - rj * dold) / (rj + sij);
        d[ik] = dij;
      }
    }
    if (iold < lg) {
      std::ptrdiff_t ik = ii + iold;
      int i = iold;
      for (int j = iold + 1; j <= lg; ++j) {
        const double rj = ic[static_cast<std::size_t>(j)];
        const std::ptrdiff_t jk = ld + j;
        double dij = (rj + si) * d[ik] + (rj + sj) * d[jk];
        dij = (dij - rj * dold) / (rj + sij);
        d[ik] = dij;
        ik = ik + i;
        i = j;
      }
    }
    slots.emplace_back(iold, jold);
    table.refresh(iold, jold, lg);
    table.argmin(lg, best.i, best.j, best.cost);
    if (lg == 2) break;
    ls = ls + 1;
    if (ls == ns) break;
    if (interrupted && interrupted()) return relabel(slots, ng);
  }
  slots.emplace_back(best.i, best.j);
  return relabel(slots, ng);
}

}  // namespace hc_detail
}  // namespace emgmm
