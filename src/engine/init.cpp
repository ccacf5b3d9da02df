// emgmm engine: starting partitions.
#include "init.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "parallel.h"

namespace emgmm {

using Index = Eigen::Index;

namespace {

constexpr Index kBlock = 1024;

// Index drawn with probability proportional to w (w >= 0, total > 0).
Index draw_weighted(const Vector& w, double total, double u) {
  const double target = u * total;
  double acc = 0.0;
  const Index n = w.size();
  for (Index i = 0; i < n; ++i) {
    acc += w(i);
    if (acc > target) return i;
  }
  // Rounding left the target just past the sum: the last positive weight.
  for (Index i = n - 1; i >= 0; --i) {
    if (w(i) > 0.0) return i;
  }
  return n - 1;
}

Index draw_uniform(Index n, double u) {
  Index i = static_cast<Index>(u * static_cast<double>(n));
  return std::min(std::max<Index>(i, 0), n - 1);
}

// Squared distances of every row to one point, in parallel over blocks.
void squared_distances(DataMap x, const Vector& point, int threads, Vector& out) {
  const Index n = x.rows();
  const Index nblocks = (n + kBlock - 1) / kBlock;
  out.resize(n);
  parallel_blocks(nblocks, effective_threads(threads, nblocks), [&](int, Index, Index b) {
    const Index r0 = b * kBlock;
    const Index rows = std::min(kBlock, n - r0);
    out.segment(r0, rows) =
        (x.middleRows(r0, rows).rowwise() - point.transpose()).rowwise().squaredNorm();
  });
}

}  // namespace

// A row drawn uniformly, or with probability proportional to its weight.
static Index draw_row(Index n, const double* rw, double total, double u) {
  if (rw == nullptr) return draw_uniform(n, u);
  return draw_weighted(Eigen::Map<const Vector>(rw, n), total, u);
}

Matrix kmeanspp_centers(DataMap x, int k, const UniformSource& uniform, int threads,
                        const double* rw) {
  const Index n = x.rows();
  const Index d = x.cols();
  const double total = rw != nullptr ? Eigen::Map<const Vector>(rw, n).sum() : 0.0;
  // the weighted potential: each row's squared distance times its weight
  const auto weighted = [&](const Vector& d2) -> Vector {
    return rw != nullptr ? Vector(d2.cwiseProduct(Eigen::Map<const Vector>(rw, n))) : d2;
  };
  Matrix centers(d, k);
  centers.col(0) = x.row(draw_row(n, rw, total, uniform())).transpose();
  Vector closest;
  squared_distances(x, centers.col(0), threads, closest);
  double potential = weighted(closest).sum();
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  Vector cand_d2, best_d2;
  for (int c = 1; c < k; ++c) {
    if (!(potential > 0.0)) {
      // Every row sits on a centre already: any row will do.
      centers.col(c) = x.row(draw_row(n, rw, total, uniform())).transpose();
      continue;
    }
    double best_pot = std::numeric_limits<double>::infinity();
    Index best = 0;
    for (int t = 0; t < trials; ++t) {
      const Index cand = draw_weighted(weighted(closest), potential, uniform());
      squared_distances(x, x.row(cand).transpose(), threads, cand_d2);
      cand_d2 = cand_d2.cwiseMin(closest);
      const double pot = weighted(cand_d2).sum();
      if (pot < best_pot) {
        best_pot = pot;
        best = cand;
        best_d2.swap(cand_d2);
      }
    }
    centers.col(c) = x.row(best).transpose();
    closest.swap(best_d2);
    potential = best_pot;
  }
  return centers;
}

Matrix random_centers(DataMap x, int k, const UniformSource& uniform, const double* rw) {
  const Index n = x.rows();
  const double total = rw != nullptr ? Eigen::Map<const Vector>(rw, n).sum() : 0.0;
  Matrix centers(x.cols(), k);
  std::vector<Index> chosen;
  chosen.reserve(static_cast<std::size_t>(k));
  // Rows drawn uniformly; a row equal to a chosen centre is drawn again, so
  // tied values cannot give two equal centres (the caller has checked that
  // there are at least k distinct rows; the bound on draws is only a guard).
  const long max_draws = 100L * static_cast<long>(n) + 1000L;
  for (long draw = 0; static_cast<int>(chosen.size()) < k && draw < max_draws; ++draw) {
    const Index t = draw_row(n, rw, total, uniform());
    bool repeated = false;
    for (const Index c : chosen) {
      if (x.row(c) == x.row(t)) {
        repeated = true;
        break;
      }
    }
    if (!repeated) {
      centers.col(static_cast<Index>(chosen.size())) = x.row(t).transpose();
      chosen.push_back(t);
    }
  }
  for (Index j = static_cast<Index>(chosen.size()); j < k; ++j) centers.col(j) = x.row(j % n).transpose();
  return centers;
}

KmeansResult lloyd(DataMap x, Matrix centers, int max_iter, int threads,
                   const Interrupt& interrupted, const double* rw) {
  const Index n = x.rows();
  const Index d = x.cols();
  const Index k = centers.cols();
  const Index nblocks = (n + kBlock - 1) / kBlock;
  const int nt = effective_threads(threads, nblocks);
  const std::size_t parts = static_cast<std::size_t>(part_count(nblocks));
  KmeansResult res;
  res.labels = IntVector::Constant(n, -1);
  Vector dist(n);  // squared distance of each row to its centre

  // sums per part (merged in part order), scratch per thread
  std::vector<Matrix> sums(parts);
  std::vector<Vector> counts(parts);
  std::vector<long> changed(parts);
  std::vector<Matrix> cross(static_cast<std::size_t>(nt));
  for (Matrix& c : cross) c.resize(kBlock, k);

  for (int it = 0;; ++it) {
    // Assignment step; also the sums for the update step.
    const Vector cnorm = centers.colwise().squaredNorm().transpose();
    for (std::size_t p = 0; p < parts; ++p) {
      sums[p] = Matrix::Zero(d, k);
      counts[p] = Vector::Zero(k);
      changed[p] = 0;
    }
    parallel_blocks(nblocks, nt, [&](int t, Index part, Index b) {
      const std::size_t p = static_cast<std::size_t>(part);
      const Index r0 = b * kBlock;
      const Index rows = std::min(kBlock, n - r0);
      auto xb = x.middleRows(r0, rows);
      auto cr = cross[static_cast<std::size_t>(t)].topRows(rows);
      cr.noalias() = xb * centers;
      Matrix& sm = sums[p];
      Vector& ct = counts[p];
      for (Index i = 0; i < rows; ++i) {
        Index best = 0;
        double bestd = std::numeric_limits<double>::infinity();
        for (Index j = 0; j < k; ++j) {
          const double dj = cnorm(j) - 2.0 * cr(i, j);
          if (dj < bestd) {
            bestd = dj;
            best = j;
          }
        }
        const Index row = r0 + i;
        if (res.labels(row) != best) {
          res.labels(row) = static_cast<int>(best);
          ++changed[p];
        }
        dist(row) = std::max(0.0, bestd + xb.row(i).squaredNorm());
        if (rw != nullptr) {
          sm.col(best) += rw[row] * xb.row(i).transpose();
          ct(best) += rw[row];
          if (rw[row] == 0.0) dist(row) = 0.0;  // never chosen for an empty cluster
        } else {
          sm.col(best) += xb.row(i).transpose();
          ct(best) += 1.0;
        }
      }
    });
    long nchanged = 0;
    Matrix sum = Matrix::Zero(d, k);
    Vector count = Vector::Zero(k);
    for (std::size_t p = 0; p < parts; ++p) {
      nchanged += changed[p];
      sum += sums[p];
      count += counts[p];
    }
    res.iterations = it;
    res.inertia = rw != nullptr ? dist.dot(Eigen::Map<const Vector>(rw, n)) : dist.sum();
    if (nchanged == 0 || it >= max_iter) break;
    if (interrupted && interrupted()) break;
    // Update step; an empty cluster takes the row farthest from its centre.
    for (Index j = 0; j < k; ++j) {
      if (count(j) > 0.0) {
        centers.col(j) = sum.col(j) / count(j);
      } else {
        Index far = 0;
        dist.maxCoeff(&far);
        centers.col(j) = x.row(far).transpose();
        dist(far) = 0.0;
      }
    }
  }
  res.centers = centers;
  return res;
}

void canonical_labels(IntVector& labels) {
  std::vector<int> map;
  for (Index i = 0; i < labels.size(); ++i) {
    const int l = labels(i);
    if (l >= static_cast<int>(map.size())) map.resize(static_cast<std::size_t>(l) + 1, -1);
    if (map[static_cast<std::size_t>(l)] < 0) {
      map[static_cast<std::size_t>(l)] =
          static_cast<int>(std::count_if(map.begin(), map.end(), [](int v) { return v >= 0; }));
    }
    labels(i) = map[static_cast<std::size_t>(l)];
  }
}

// Rows above which k-means runs on a sample of this many rows.
constexpr Index kKmeansSampleRows = 20000;

std::vector<IntVector> start_partitions(DataMap x, int k, int n_init, bool kmeans,
                                        const UniformSource& uniform, int threads,
                                        const Interrupt& interrupted, const double* rw) {
  const auto stop = [&interrupted]() { return interrupted && interrupted(); };
  std::vector<IntVector> out;
  // k-means works on centred data, so that distances keep their precision.
  // Even-numbered starts use standardised variables (a start that does not
  // depend on the units: a variable in thousandths is not drowned by one in
  // thousands), odd-numbered ones the variables as they are (where the units
  // are meaningful, as for spherical clusters); the best fit over both wins.
  // (with row weights: the weighted mean and standard deviations, as of the
  // rows repeated as their weights say)
  const Index n = x.rows();
  const Eigen::Map<const Vector> wv(rw != nullptr ? rw : x.data(), rw != nullptr ? n : 0);
  const double total = rw != nullptr ? wv.sum() : static_cast<double>(n);
  const Vector center = rw != nullptr ? Vector(x.transpose() * wv / total)
                                      : Vector(x.colwise().mean().transpose());
  const Matrix centred = x.rowwise() - center.transpose();
  Matrix scaled = centred;
  const Vector sd =
      rw != nullptr
          ? Vector((centred.array().square().colwise() * wv.array()).colwise().sum().transpose() /
                   total)
                .cwiseSqrt()
          : Vector((centred.colwise().squaredNorm() / static_cast<double>(n)).cwiseSqrt());
  for (Index j = 0; j < scaled.cols(); ++j) {
    if (sd(j) > 0.0) scaled.col(j) /= sd(j);
  }
  const DataMap xs(scaled.data(), scaled.rows(), scaled.cols());
  const DataMap xr(centred.data(), centred.rows(), centred.cols());
  // On large data k-means runs on a random sample of rows (drawn with
  // replacement) and every row then goes to its nearest centre: the start
  // needs the clusters' rough positions, which a sample gives, and EM does
  // the rest on all rows.
  // With weights a row is drawn with probability proportional to its
  // weight, and the rows count as their total weight.
  const Index sample_rows =
      (n > kKmeansSampleRows || total > static_cast<double>(kKmeansSampleRows)) ? kKmeansSampleRows
                                                                                : 0;
  Vector cumulative;
  if (rw != nullptr && sample_rows > 0) {
    cumulative.resize(n);
    double acc = 0.0;
    for (Index i = 0; i < n; ++i) cumulative(i) = (acc += rw[i]);
  }
  Matrix sample;
  for (int r = 0; r < n_init; ++r) {
    if (stop()) break;
    const DataMap& xm = (r % 2 == 0) ? xs : xr;
    KmeansResult km;
    if (kmeans && sample_rows > 0) {
      sample.resize(sample_rows, xm.cols());
      for (Index i = 0; i < sample_rows; ++i) {
        Index row;
        if (rw != nullptr) {
          const double target = uniform() * total;
          row = static_cast<Index>(std::upper_bound(cumulative.data(), cumulative.data() + n, target) -
                                   cumulative.data());
        } else {
          row = static_cast<Index>(uniform() * static_cast<double>(n));
        }
        if (row >= n) row = n - 1;
        sample.row(i) = xm.row(row);
      }
      const DataMap sm(sample.data(), sample.rows(), sample.cols());
      const KmeansResult ks =
          lloyd(sm, kmeanspp_centers(sm, k, uniform, threads), 100, threads, interrupted);
      if (stop()) break;
      km = lloyd(xm, ks.centers, 0, threads, nullptr, rw);
    } else {
      Matrix centers = kmeans ? kmeanspp_centers(xm, k, uniform, threads, rw)
                              : random_centers(xm, k, uniform, rw);
      if (stop()) break;
      km = lloyd(xm, centers, kmeans ? 100 : 0, threads, interrupted, rw);
    }
    if (stop()) break;
    canonical_labels(km.labels);
    bool seen = false;
    for (const IntVector& o : out) {
      if (o == km.labels) {
        seen = true;
        break;
      }
    }
    if (!seen) out.push_back(km.labels);
  }
  return out;
}

}  // namespace emgmm
