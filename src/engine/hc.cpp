// emgmm engine: model-based agglomerative hierarchical clustering, the
// public entries of hc.h.  The work is in the files behind them:
//   hc_blas.h      mclust's constants, the level-1 BLAS computed as the
//                  reference implementation does, the 1-based column-major
//                  view FMat and mclust's mclrup;
//   hc_pairs.*     the table of pair costs and the search for the cheapest
//                  pair, and mclust's relabelling of the merges;
//   hc_mergers.h   the two mergers: hc_vvv.cpp (mclust's hcvvv) and
//                  hc_eii.cpp (mclust's hceii).
// alpha enters every VVV cost, so hc_default_alpha too computes it as mclust's
// Fortran does (its traceW), with the same BLAS.
#include "hc.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "hc_blas.h"
#include "hc_mergers.h"

namespace emgmm {

double hc_default_alpha(DataMap data) {
  const int n = static_cast<int>(data.rows());
  const int p = static_cast<int>(data.cols());
  const double scale = std::sqrt(static_cast<double>(n) * static_cast<double>(p));
  std::vector<double> x(static_cast<std::size_t>(n) * p);
  for (int j = 0; j < p; ++j) {
    for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * n] = data(i, j) / scale;
  }
  const double fac = 1.0 / std::sqrt(static_cast<double>(n));
  std::vector<double> u(static_cast<std::size_t>(p), 0.0);
  for (int i = 0; i < n; ++i) hc_detail::daxpy(p, fac, x.data() + i, n, u.data(), 1);
  double ss = 0.0;
  for (int j = 0; j < p; ++j) {
    double* col = x.data() + static_cast<std::size_t>(j) * n;
    hc_detail::daxpy(n, -fac, u.data() + j, 0, col, 1);
    ss = ss + hc_detail::ddot(n, col, 1, col, 1);
  }
  return std::max(ss, hc_detail::kEpsmax);
}

std::vector<Merge> hc_merges(DataMap x, HcModel model, double alpha, double beta,
                             const Interrupt& interrupted) {
  if (model == HcModel::EII) return hc_detail::hc_eii(x, interrupted);
  return hc_detail::hc_vvv(x, alpha, beta, interrupted);
}

Eigen::MatrixXi hc_partitions(const std::vector<Merge>& merges, int n,
                              const std::vector<int>& groups) {
  Eigen::MatrixXi out(n, static_cast<Eigen::Index>(groups.size()));
  // parent[g]: the label group g was merged into (itself while it is a root)
  std::vector<int> parent(static_cast<std::size_t>(n) + 1);
  for (int g = 1; g <= n; ++g) parent[static_cast<std::size_t>(g)] = g;
  auto find = [&](int g) {
    while (parent[static_cast<std::size_t>(g)] != g) {
      const int up = parent[static_cast<std::size_t>(g)];
      parent[static_cast<std::size_t>(g)] = parent[static_cast<std::size_t>(up)];
      g = up;
    }
    return g;
  };
  // partitions are snapshotted in decreasing order of the number of groups
  std::vector<std::size_t> order(groups.size());
  for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return groups[a] > groups[b]; });
  std::size_t done = 0;  // merges applied
  std::vector<int> first(static_cast<std::size_t>(n) + 1);
  for (const std::size_t c : order) {
    const std::size_t need = static_cast<std::size_t>(n - groups[c]);
    while (done < need && done < merges.size()) {
      const int a = find(merges[done].first);
      const int b = find(merges[done].second);
      if (a != b) parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
      ++done;
    }
    std::fill(first.begin(), first.end(), 0);
    int next = 0;
    for (int i = 0; i < n; ++i) {
      const int root = find(i + 1);
      int& lab = first[static_cast<std::size_t>(root)];
      if (lab == 0) lab = ++next;
      out(i, static_cast<Eigen::Index>(c)) = lab;
    }
  }
  return out;
}

}  // namespace emgmm
