// emgmm engine: log densities, E-step and sufficient statistics.
//
// All densities are computed in log space from Cholesky factors; posteriors
// come from a log-sum-exp over components, so no raw density is ever
// exponentiated.  Work proceeds over blocks of rows (whitened as one
// triangular solve per component and block), with one partial set of
// statistics per thread merged in thread order.
#include "estep.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "parallel.h"

namespace emgmm {

using Index = Eigen::Index;

constexpr double kPi = 3.141592653589793238462643383279502884;
// Smallest Cholesky pivot of a component's correlation matrix (condition
// number about 1e14); a rank-deficient one has pivots at rounding level.
constexpr double kMinPivot = 1e-7;

void SuffStats::reset(int d, int k, const Matrix& shifts, ScatterKind what) {
  weight = Vector::Zero(k);
  sum = Matrix::Zero(d, k);
  scatter.assign(static_cast<std::size_t>(k), Matrix::Zero(d, d));
  shift = shifts;
  loglik = 0.0;
  kind = what;
}

void SuffStats::add(const SuffStats& other) {
  weight += other.weight;
  sum += other.sum;
  for (std::size_t j = 0; j < scatter.size(); ++j) scatter[j] += other.scatter[j];
  loglik += other.loglik;
}

Status prepare_components(const Params& p, Components& out, int& bad) {
  const int k = p.k();
  const int d = p.d();
  const double eps = std::numeric_limits<double>::epsilon();
  const double log2pi = std::log(2.0 * kPi);
  out.log_prop = p.proportions.array().log().matrix();
  out.means = p.means;
  out.chol.resize(static_cast<std::size_t>(k));
  out.log_norm.resize(k);
  for (int j = 0; j < k; ++j) {
    bad = j;
    const Matrix& s = p.covariances[static_cast<std::size_t>(j)];
    if (!s.allFinite() || !p.means.col(j).allFinite()) return Status::singular;
    const Vector var = s.diagonal();
    const Vector mu2 = p.means.col(j).cwiseAbs2();
    // A variance at the rounding level of the mean (an sd of about one unit
    // in the last place): the component sits on (numerically) one value.
    for (int v = 0; v < d; ++v) {
      if (!(var(v) > 0.0) || var(v) <= 4.0 * eps * eps * mu2(v)) return Status::singular;
    }
    // Correlation scale: the pivots measure conditioning, not units.
    const Vector inv_sd = var.cwiseSqrt().cwiseInverse();
    const Matrix corr = inv_sd.asDiagonal() * s * inv_sd.asDiagonal();
    Eigen::LLT<Matrix> llt(corr);
    if (llt.info() != Eigen::Success) return Status::singular;
    const Vector piv = Matrix(llt.matrixU()).diagonal();
    if (!piv.allFinite() || piv.minCoeff() <= kMinPivot) return Status::singular;
    // U = U_corr diag(sd): the factor of the covariance itself.
    out.chol[static_cast<std::size_t>(j)] =
        Matrix(llt.matrixU()) * var.cwiseSqrt().asDiagonal();
    out.log_norm(j) = -0.5 * (d * log2pi + var.array().log().sum() +
                              2.0 * piv.array().log().sum());
  }
  bad = -1;
  return Status::ok;
}

int block_rows(int d, int k) {
  // Keep a block (d columns) and its k log densities within about 256 KiB.
  const long per_row = 8L * (3L * d + 2L * k + 2L);
  long b = (256L * 1024L) / std::max(per_row, 1L);
  b = std::max(64L, std::min(b, 2048L));
  return static_cast<int>(b);
}

namespace {

// Scratch space of one thread for one block of rows.
struct BlockScratch {
  Matrix xb;   // rows x d, the block
  Matrix xc;   // rows x d, centred / whitened block
  Matrix ld;   // rows x k, log densities, then posteriors
  Vector rmax;  // rows
  Vector rsum;  // rows

  void allocate(Index rows, Index d, Index k) {
    xb.resize(rows, d);
    xc.resize(rows, d);
    ld.resize(rows, k);
    rmax.resize(rows);
    rsum.resize(rows);
  }
};

// Log of proportion times component density for each row of the block.
void block_log_densities(const Components& c, Index rows, BlockScratch& s) {
  const Index k = c.log_prop.size();
  auto xb = s.xb.topRows(rows);
  auto xc = s.xc.topRows(rows);
  for (Index j = 0; j < k; ++j) {
    xc = xb;
    xc.rowwise() -= c.means.col(j).transpose();
    c.chol[static_cast<std::size_t>(j)].triangularView<Eigen::Upper>()
        .solveInPlace<Eigen::OnTheRight>(xc);
    s.ld.col(j).head(rows).array() =
        (c.log_norm(j) + c.log_prop(j)) - 0.5 * xc.rowwise().squaredNorm().array();
  }
}

// Rows so far from every component that their squared distances overflow get
// log density -inf.  Their posterior is the limit as the row moves away: all
// of it on the component with the smallest Mahalanobis distance, computed on
// a rescaled row so that it does not overflow (shared equally on ties).
void fix_far_rows(const Components& c, Index rows, BlockScratch& s) {
  const double ninf = -std::numeric_limits<double>::infinity();
  const Index k = c.log_prop.size();
  Vector lognorm(k);
  for (Index i = 0; i < rows; ++i) {
    if (std::isfinite(s.rmax(i))) continue;
    const Vector x = s.xb.row(i).transpose();
    for (Index j = 0; j < k; ++j) {
      const double scale = std::max(x.cwiseAbs().maxCoeff(), c.means.col(j).cwiseAbs().maxCoeff());
      const Vector v = x / scale - c.means.col(j) / scale;
      const Vector z =
          c.chol[static_cast<std::size_t>(j)].transpose().triangularView<Eigen::Lower>().solve(v);
      lognorm(j) = std::log(scale) + std::log(z.stableNorm());
    }
    const double best = lognorm.minCoeff();
    const Vector win = (lognorm.array() <= best + 1e-12 * std::fabs(best)).cast<double>().matrix();
    s.ld.row(i) = (win / win.sum()).transpose();
    s.rsum(i) = ninf;
  }
}

// Turns the block's log densities into posteriors (log-sum-exp per row) and
// leaves the log mixture density of each row in rsum; returns their sum.
double block_normalise(const Components& c, Index rows, BlockScratch& s) {
  auto ld = s.ld.topRows(rows);
  auto m = s.rmax.head(rows);
  auto t = s.rsum.head(rows);
  // NaN (from inf - inf in an overflowing whitening) means "infinitely far".
  ld = ld.array().isNaN().select(-std::numeric_limits<double>::infinity(), ld);
  m = ld.rowwise().maxCoeff();
  ld.array().colwise() -= m.array();
  ld.array() = ld.array().exp();
  t = ld.rowwise().sum();
  ld.array().colwise() /= t.array();
  t.array() = m.array() + t.array().log();
  if (!m.allFinite()) fix_far_rows(c, rows, s);
  return t.sum();
}

// Adds the block's weighted statistics (weights in s.ld) to `st`.
void block_accumulate(Index rows, BlockScratch& s, SuffStats& st) {
  const Index k = st.weight.size();
  auto xb = s.xb.topRows(rows);
  auto xc = s.xc.topRows(rows);
  for (Index j = 0; j < k; ++j) {
    auto w = s.ld.col(j).head(rows);
    xc = xb;
    xc.rowwise() -= st.shift.col(j).transpose();
    st.weight(j) += w.sum();
    st.sum.col(j).noalias() += xc.transpose() * w;
    if (st.kind == ScatterKind::full) {
      xc.array().colwise() *= w.array().sqrt();
      st.scatter[static_cast<std::size_t>(j)].selfadjointView<Eigen::Lower>().rankUpdate(
          xc.transpose());
    } else {
      st.scatter[static_cast<std::size_t>(j)].diagonal().noalias() +=
          (xc.array().square().colwise() * w.array()).colwise().sum().matrix().transpose();
    }
  }
}

void finish_scatter(SuffStats& st) {
  if (st.kind != ScatterKind::full) return;
  for (Matrix& s : st.scatter) s = s.selfadjointView<Eigen::Lower>();
}

// How the rows are cut: block size, number of blocks and threads used.
struct BlockPlan {
  Index rows;
  Index blocks;
  int threads;
};

BlockPlan plan_blocks(DataMap x, int k, int threads) {
  const Index b = block_rows(static_cast<int>(x.cols()), k);
  const Index nblocks = (x.rows() + b - 1) / b;
  return BlockPlan{b, nblocks, effective_threads(threads, nblocks)};
}

// Runs `body(thread, scratch, first_row, rows)` over the blocks of `plan`;
// each thread has its own scratch, holding the block's rows in `xb`.
template <class Body>
void for_each_block(DataMap x, int k, const BlockPlan& plan, Body body) {
  const Index n = x.rows();
  std::vector<BlockScratch> scratch(static_cast<std::size_t>(plan.threads));
  for (BlockScratch& s : scratch) s.allocate(plan.rows, x.cols(), k);
  parallel_blocks(plan.blocks, plan.threads, [&](int t, Index blk) {
    const Index r0 = blk * plan.rows;
    const Index rows = std::min(plan.rows, n - r0);
    BlockScratch& s = scratch[static_cast<std::size_t>(t)];
    s.xb.topRows(rows) = x.middleRows(r0, rows);
    body(t, s, r0, rows);
  });
}

// Runs `body(scratch, stats, first_row, rows)` over blocks of rows, one set of
// statistics per thread, merged in thread order.
template <class Body>
void accumulate_blocks(DataMap x, int k, const Matrix& shifts, ScatterKind kind, int threads,
                       SuffStats& out, Body body) {
  const BlockPlan plan = plan_blocks(x, k, threads);
  std::vector<SuffStats> part(static_cast<std::size_t>(plan.threads));
  for (SuffStats& p : part) p.reset(static_cast<int>(x.cols()), k, shifts, kind);
  for_each_block(x, k, plan, [&](int t, BlockScratch& s, Index r0, Index rows) {
    body(s, part[static_cast<std::size_t>(t)], r0, rows);
  });
  out = part[0];
  for (int t = 1; t < plan.threads; ++t) out.add(part[static_cast<std::size_t>(t)]);
  finish_scatter(out);
}

}  // namespace

void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads,
                 SuffStats& out) {
  const int k = static_cast<int>(c.log_prop.size());
  accumulate_blocks(x, k, c.means, kind, threads, out,
                    [&](BlockScratch& s, SuffStats& st, Index, Index rows) {
                      block_log_densities(c, rows, s);
                      st.loglik += block_normalise(c, rows, s);
                      block_accumulate(rows, s, st);
                    });
}

void estep_posterior(DataMap x, const Components& c, int threads, Matrix* posterior,
                     Vector* logdens) {
  const Index n = x.rows();
  const Index k = c.log_prop.size();
  if (posterior) posterior->resize(n, k);
  if (logdens) logdens->resize(n);
  const int kk = static_cast<int>(k);
  for_each_block(x, kk, plan_blocks(x, kk, threads), [&](int, BlockScratch& s, Index r0,
                                                         Index rows) {
    block_log_densities(c, rows, s);
    block_normalise(c, rows, s);
    if (posterior) posterior->middleRows(r0, rows) = s.ld.topRows(rows);
    if (logdens) logdens->segment(r0, rows) = s.rsum.head(rows);
  });
}

void stats_from_start(DataMap x, const DataMap* weights, const IntVector* labels, int k,
                      ScatterKind kind, int threads, SuffStats& out) {
  const int d = static_cast<int>(x.cols());
  auto fill_weights = [&](BlockScratch& s, Index r0, Index rows) {
    if (weights) {
      s.ld.topRows(rows) = weights->middleRows(r0, rows);
    } else {
      s.ld.topRows(rows).setZero();
      for (Index i = 0; i < rows; ++i) {
        const int lab = (*labels)(r0 + i);
        if (lab >= 0) s.ld(i, lab) = 1.0;
      }
    }
  };
  auto body = [&](BlockScratch& s, SuffStats& st, Index r0, Index rows) {
    fill_weights(s, r0, rows);
    block_accumulate(rows, s, st);
  };
  // Pass 1 finds the weighted means; pass 2 accumulates about them.
  SuffStats first;
  accumulate_blocks(x, k, Matrix::Zero(d, k), ScatterKind::diagonal, threads, first, body);
  Matrix means = Matrix::Zero(d, k);
  for (int j = 0; j < k; ++j) {
    if (first.weight(j) > 0.0) means.col(j) = first.sum.col(j) / first.weight(j);
  }
  accumulate_blocks(x, k, means, kind, threads, out, body);
}

}  // namespace emgmm
