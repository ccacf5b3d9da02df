// emgmm engine: log densities, E-step and sufficient statistics.
//
// All densities are computed in log space from Cholesky factors; posteriors
// come from a log-sum-exp over components, so no raw density is ever
// exponentiated.  Work proceeds over blocks of rows that stay in cache, read
// in place from the data (never copied): each block is centred and whitened
// per component (column by column for small d, as one triangular solve for
// larger d), its log-sum-exp is taken column-wise with vectorised exp(), and
// its statistics accumulate as dot products (small d) or one rank update per
// component.  One partial set of statistics per part of the rows (see
// parallel.h), merged in part order, whatever the number of threads.
#include "estep.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "degenerate.h"
#include "fast_exp.h"
#include "parallel.h"

namespace emgmm {

using Index = Eigen::Index;

constexpr double kPi = 3.141592653589793238462643383279502884;

void SuffStats::reset(int d, int k, const Matrix& shifts, ScatterKind what) {
  // in place: statistics reset every iteration keep their storage
  weight.setZero(k);
  sum.setZero(d, k);
  scatter.resize(static_cast<std::size_t>(k));
  for (Matrix& s : scatter) s.setZero(d, d);
  shift = shifts;
  loglik = 0.0;
  sum_log_max = 0.0;
  // in one dimension a full scatter is its diagonal (the cheaper kernels)
  kind = d == 1 ? ScatterKind::diagonal : what;
}

void SuffStats::add(const SuffStats& other) {
  weight += other.weight;
  sum += other.sum;
  for (std::size_t j = 0; j < scatter.size(); ++j) scatter[j] += other.scatter[j];
  loglik += other.loglik;
  sum_log_max += other.sum_log_max;
}

Status prepare_components(const Params& p, Components& out, int& bad) {
  const int k = p.k();
  const int d = p.d();
  const double log2pi = std::log(2.0 * kPi);
  out.log_prop = p.proportions.array().log().matrix();
  out.means = p.means;
  out.chol.resize(static_cast<std::size_t>(k));
  out.log_norm.resize(k);
  Factor f;
  for (int j = 0; j < k; ++j) {
    if (!usable_covariance(p.covariances[static_cast<std::size_t>(j)], p.means.col(j), &f)) {
      bad = j;
      return Status::singular;
    }
    out.chol[static_cast<std::size_t>(j)] = f.upper;
    out.log_norm(j) = -0.5 * (d * log2pi + f.log_det);
  }
  out.diagonal = true;
  out.inv_diag.resize(d, k);
  for (int j = 0; j < k; ++j) {
    const Matrix& u = out.chol[static_cast<std::size_t>(j)];
    out.inv_diag.col(j) = u.diagonal().cwiseInverse();
    for (int c = 1; c < d && out.diagonal; ++c) {
      if ((u.col(c).head(c).array() != 0.0).any()) out.diagonal = false;
    }
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

// Below this dimension the whitening and the scatter run column by column
// (vectorised over rows); above it, as one triangular solve and one rank
// update per component and block.
constexpr Index kSmallD = 12;  // measured: at d = 10 the column loops beat TRSM + SYRK by 20%

// Scratch space of one thread for one block of rows.
struct BlockScratch {
  Matrix xc;    // rows x d, centred (then whitened) block
  Matrix ld;    // rows x k, log densities, then posteriors
  Vector q;     // rows, squared Mahalanobis distances; products
  Vector rmax;  // rows
  Vector rsum;  // rows
  bool finite = true;  // every squared distance of the block is finite
  std::vector<Index> order;   // rows of the block sorted by label
  std::vector<Index> offset;  // k + 1: where each label's rows start in `order`
  std::vector<Index> fill;    // k: next free place of each label in `order`

  void allocate(Index rows, Index d, Index k) {
    xc.resize(rows, d);
    ld.resize(rows, k);
    q.resize(rows);
    rmax.resize(rows);
    rsum.resize(rows);
    order.resize(static_cast<std::size_t>(rows));
    offset.resize(static_cast<std::size_t>(k + 1));
    fill.resize(static_cast<std::size_t>(k));
  }
};

// xc = the block's rows of x minus v (read in place: a column of a block of
// rows is contiguous in the column-major data).
void centre_block(DataMap x, Index r0, Index rows, const Eigen::Ref<const Vector>& v,
                  BlockScratch& s) {
  for (Index c = 0; c < x.cols(); ++c) {
    s.xc.col(c).head(rows).array() = x.col(c).segment(r0, rows).array() - v(c);
  }
}

// Log of proportion times component density for each row of the block.
void block_log_densities(DataMap x, Index r0, const Components& c, Index rows,
                         BlockScratch& s) {
  const Index k = c.log_prop.size();
  const Index d = x.cols();
  auto q = s.q.head(rows);
  s.finite = true;
  for (Index j = 0; j < k; ++j) {
    const Matrix& u = c.chol[static_cast<std::size_t>(j)];
    if (c.diagonal) {
      // straight from the data, no centred copy
      const auto z = [&](Index col) {
        return ((x.col(col).segment(r0, rows).array() - c.means(col, j)) * c.inv_diag(col, j))
            .square();
      };
      // four columns per pass over q
      Index col = d % 4;
      if (col == 0) {
        q.array() = z(0) + z(1) + z(2) + z(3);
        col = 4;
      } else if (col == 1) {
        q.array() = z(0);
      } else if (col == 2) {
        q.array() = z(0) + z(1);
      } else {
        q.array() = z(0) + z(1) + z(2);
      }
      for (; col < d; col += 4) q.array() += z(col) + z(col + 1) + z(col + 2) + z(col + 3);
      s.ld.col(j).head(rows).array() = (c.log_norm(j) + c.log_prop(j)) - 0.5 * q.array();
      if (!std::isfinite(q.sum())) s.finite = false;
      continue;
    }
    centre_block(x, r0, rows, c.means.col(j), s);
    if (d <= kSmallD) {
      // z U = xc, solved column by column in place: z_c = (xc_c - sum_{r<c} z_r U_rc) / U_cc
      q.setZero();
      for (Index col = 0; col < d; ++col) {
        auto zc = s.xc.col(col).head(rows);
        for (Index r = 0; r < col; ++r) zc -= u(r, col) * s.xc.col(r).head(rows);
        zc *= c.inv_diag(col, j);
        q += zc.cwiseAbs2();
      }
    } else {
      auto xc = s.xc.topRows(rows);
      u.triangularView<Eigen::Upper>().solveInPlace<Eigen::OnTheRight>(xc);
      q = xc.col(0).cwiseAbs2();
      for (Index col = 1; col < d; ++col) q += xc.col(col).cwiseAbs2();
    }
    s.ld.col(j).head(rows).array() = (c.log_norm(j) + c.log_prop(j)) - 0.5 * q.array();
    // a vectorised sum is finite only if every term is (no NaN, no overflow)
    if (!std::isfinite(q.sum())) s.finite = false;
  }
}

// Rows so far from every component that their squared distances overflow get
// log density -inf.  Their posterior is the limit as the row moves away: all
// of it on the component with the smallest Mahalanobis distance, computed on
// a rescaled row so that it does not overflow (shared equally on ties).
void fix_far_rows(DataMap x, Index r0, const Components& c, Index rows, BlockScratch& s) {
  const double ninf = -std::numeric_limits<double>::infinity();
  const Index k = c.log_prop.size();
  Vector lognorm(k);
  for (Index i = 0; i < rows; ++i) {
    if (std::isfinite(s.rmax(i))) continue;
    const Vector xi = x.row(r0 + i).transpose();
    for (Index j = 0; j < k; ++j) {
      const double scale = std::max(xi.cwiseAbs().maxCoeff(), c.means.col(j).cwiseAbs().maxCoeff());
      const Vector v = xi / scale - c.means.col(j) / scale;
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
// leaves the log mixture density of each row in rsum (when `per_row`; the
// E-step only needs their sum).  Adds the sum of the
// log densities to *loglik and the sum of the log of each row's largest
// posterior (ICL's entropy term) to *log_max.
void block_normalise(DataMap x, Index r0, const Components& c, Index rows, BlockScratch& s,
                     double* loglik, double* log_max, bool per_row) {
  const Index k = c.log_prop.size();
  auto ld = s.ld.topRows(rows);
  auto m = s.rmax.head(rows);
  auto t = s.rsum.head(rows);
  m = ld.col(0);
  for (Index j = 1; j < k; ++j) m = m.cwiseMax(ld.col(j));
  if (s.finite) {
    // the usual case, column by column; each row's largest term is exp(0) = 1
    t.setZero();
    for (Index j = 0; j < k; ++j) {
      exp_shifted_add(ld.col(j), m, t);
    }
    auto inv = s.q.head(rows);
    inv = t.cwiseInverse();
    for (Index j = 0; j < k; ++j) ld.col(j).array() *= inv.array();
    // sum of log t_i; each t_i is in [1, k], so a product of 32 of them
    // cannot overflow and one log per 32 rows suffices (log is not
    // vectorised for doubles in this Eigen)
    double sum_log_t = 0.0;
    for (Index i0 = 0; i0 < rows; i0 += 32) {
      const Index len = std::min<Index>(32, rows - i0);
      sum_log_t += std::log(t.segment(i0, len).prod());
    }
    const double sum_m = m.sum();
    *loglik += sum_m + sum_log_t;
    *log_max -= sum_log_t;
    if (per_row) t.array() = m.array() + t.array().log();
    return;
  }
  // NaN (from inf - inf in an overflowing whitening) means "infinitely far".
  ld = ld.array().isNaN().select(-std::numeric_limits<double>::infinity(), ld);
  m = ld.rowwise().maxCoeff();
  ld.array().colwise() -= m.array();
  ld.array() = ld.array().exp();
  t = ld.rowwise().sum();
  ld.array().colwise() /= t.array();
  t.array() = m.array() + t.array().log();
  if (!m.allFinite()) fix_far_rows(x, r0, c, rows, s);
  *loglik += t.sum();
  *log_max += ld.rowwise().maxCoeff().array().log().sum();
}
// Adds the block's weighted statistics (weights in s.ld) to `st`, about the
// shifts of `st` (the current means: no cancellation however far the data
// sit from the origin).
// s1 += sum_i w_i (x_i - shift), s2 += sum_i w_i (x_i - shift)^2, in one
// pass (with SSE2: two lanes and two accumulators each).
void weighted_moments(const double* x, const double* w, Index n, double shift, double& s1,
                      double& s2) {
#ifdef EMGMM_SSE2_EXP
  const __m128d sh = _mm_set1_pd(shift);
  __m128d a1 = _mm_setzero_pd(), a2 = _mm_setzero_pd();
  __m128d b1 = _mm_setzero_pd(), b2 = _mm_setzero_pd();
  Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128d d0 = _mm_sub_pd(_mm_loadu_pd(x + i), sh);
    const __m128d d1 = _mm_sub_pd(_mm_loadu_pd(x + i + 2), sh);
    const __m128d e0 = _mm_mul_pd(d0, _mm_loadu_pd(w + i));
    const __m128d e1 = _mm_mul_pd(d1, _mm_loadu_pd(w + i + 2));
    a1 = _mm_add_pd(a1, e0);
    b1 = _mm_add_pd(b1, e1);
    a2 = _mm_add_pd(a2, _mm_mul_pd(e0, d0));
    b2 = _mm_add_pd(b2, _mm_mul_pd(e1, d1));
  }
  alignas(16) double t1[2], t2[2];
  _mm_store_pd(t1, _mm_add_pd(a1, b1));
  _mm_store_pd(t2, _mm_add_pd(a2, b2));
  double r1 = t1[0] + t1[1], r2 = t2[0] + t2[1];
  for (; i < n; ++i) {
    const double dv = x[i] - shift;
    r1 += w[i] * dv;
    r2 += w[i] * dv * dv;
  }
  s1 += r1;
  s2 += r2;
#else
  const Eigen::Map<const Vector> xv(x, n), wv(w, n);
  const auto diff = xv.array() - shift;
  s1 += (diff * wv.array()).sum();
  s2 += (diff.square() * wv.array()).sum();
#endif
}

void block_accumulate(DataMap x, Index r0, Index rows, BlockScratch& s, SuffStats& st) {
  const Index k = st.weight.size();
  const Index d = x.cols();
  for (Index j = 0; j < k; ++j) {
    const auto w = s.ld.col(j).head(rows);
    st.weight(j) += w.sum();
    Matrix& sc = st.scatter[static_cast<std::size_t>(j)];
    if (st.kind == ScatterKind::diagonal) {
      // straight from the data, no centred copy
      for (Index c = 0; c < d; ++c) {
        weighted_moments(x.col(c).data() + r0, w.data(), rows, st.shift(c, j), st.sum(c, j),
                         sc(c, c));
      }
      continue;
    }
    centre_block(x, r0, rows, st.shift.col(j), s);
    for (Index c = 0; c < d; ++c) st.sum(c, j) += s.xc.col(c).head(rows).dot(w);
    if (d <= kSmallD) {
      auto wx = s.q.head(rows);
      for (Index a = 0; a < d; ++a) {
        wx = s.xc.col(a).head(rows).cwiseProduct(w);
        for (Index b = a; b < d; ++b) sc(b, a) += wx.dot(s.xc.col(b).head(rows));
      }
    } else {
      auto xc = s.xc.topRows(rows);
      xc.array().colwise() *= w.array().sqrt();
      sc.selfadjointView<Eigen::Lower>().rankUpdate(xc.transpose());
    }
  }
}

// Adds the statistics of a hard partition (labels in 0..k-1, negative =
// row left out) to `st`: each row counts for its own component only, so the
// rows of each label are gathered, centred on the label's shift, and summed
// (with their scatter when `with_scatter`).
void block_accumulate_labels(DataMap x, Index r0, Index rows, const IntVector& labels,
                             bool with_scatter, BlockScratch& s, SuffStats& st) {
  const Index k = st.weight.size();
  const Index d = x.cols();
  std::fill(s.offset.begin(), s.offset.end(), Index(0));
  for (Index i = 0; i < rows; ++i) {
    const int lab = labels(r0 + i);
    if (lab >= 0) ++s.offset[static_cast<std::size_t>(lab) + 1];
  }
  for (Index j = 0; j < k; ++j) s.offset[j + 1] += s.offset[j];
  std::copy(s.offset.begin(), s.offset.end() - 1, s.fill.begin());
  for (Index i = 0; i < rows; ++i) {
    const int lab = labels(r0 + i);
    if (lab >= 0) s.order[static_cast<std::size_t>(s.fill[static_cast<std::size_t>(lab)]++)] = r0 + i;
  }
  for (Index j = 0; j < k; ++j) {
    const Index first = s.offset[j];
    const Index m = s.offset[j + 1] - first;
    if (m == 0) continue;
    for (Index c = 0; c < d; ++c) {
      const double sh = st.shift(c, j);
      for (Index r = 0; r < m; ++r) s.xc(r, c) = x(s.order[first + r], c) - sh;
    }
    st.weight(j) += static_cast<double>(m);
    for (Index c = 0; c < d; ++c) st.sum(c, j) += s.xc.col(c).head(m).sum();
    if (!with_scatter) continue;
    Matrix& sc = st.scatter[static_cast<std::size_t>(j)];
    if (st.kind == ScatterKind::diagonal) {
      for (Index c = 0; c < d; ++c) sc(c, c) += s.xc.col(c).head(m).squaredNorm();
    } else if (d <= kSmallD) {
      for (Index a = 0; a < d; ++a) {
        for (Index b = a; b < d; ++b) sc(b, a) += s.xc.col(a).head(m).dot(s.xc.col(b).head(m));
      }
    } else {
      sc.selfadjointView<Eigen::Lower>().rankUpdate(s.xc.topRows(m).transpose());
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
  // no block larger than the data: small data get small scratch space
  const Index b = std::max<Index>(1, std::min<Index>(block_rows(static_cast<int>(x.cols()), k),
                                                     x.rows()));
  const Index nblocks = (x.rows() + b - 1) / b;
  return BlockPlan{b, nblocks, effective_threads(threads, nblocks)};
}

// Runs `body(part, scratch, first_row, rows)` over the blocks of `plan`;
// each thread has its own scratch (from `scratch`, grown as needed).
template <class Body>
void for_each_block(DataMap x, int k, const BlockPlan& plan, std::vector<BlockScratch>& scratch,
                    Body body) {
  const Index n = x.rows();
  if (scratch.size() < static_cast<std::size_t>(plan.threads)) {
    scratch.resize(static_cast<std::size_t>(plan.threads));
  }
  for (int t = 0; t < plan.threads; ++t) {
    scratch[static_cast<std::size_t>(t)].allocate(plan.rows, x.cols(), k);
  }
  parallel_blocks(plan.blocks, plan.threads, [&](int t, Index part, Index blk) {
    const Index r0 = blk * plan.rows;
    const Index rows = std::min(plan.rows, n - r0);
    body(part, scratch[static_cast<std::size_t>(t)], r0, rows);
  });
}

template <class Body>
void for_each_block(DataMap x, int k, const BlockPlan& plan, Body body) {
  std::vector<BlockScratch> scratch;
  for_each_block(x, k, plan, scratch, body);
}

// Runs `body(scratch, stats, first_row, rows)` over blocks of rows, one set of
// statistics per part (see parallel.h), merged in part order: the sums do
// not depend on the number of threads.
template <class Body>
void accumulate_blocks(DataMap x, int k, const Matrix& shifts, ScatterKind kind, int threads,
                       SuffStats& out, EStepWorkspace::Impl& work, Body body);

}  // namespace

// The E-step's scratch space: per-thread block scratch and statistics.
struct EStepWorkspace::Impl {
  std::vector<BlockScratch> scratch;
  std::vector<SuffStats> part;
};

EStepWorkspace::EStepWorkspace() : impl_(new Impl) {}
EStepWorkspace::~EStepWorkspace() = default;
EStepWorkspace::EStepWorkspace(EStepWorkspace&&) noexcept = default;
EStepWorkspace& EStepWorkspace::operator=(EStepWorkspace&&) noexcept = default;

namespace {

template <class Body>
void accumulate_blocks(DataMap x, int k, const Matrix& shifts, ScatterKind kind, int threads,
                       SuffStats& out, EStepWorkspace::Impl& work, Body body) {
  const BlockPlan plan = plan_blocks(x, k, threads);
  const std::size_t parts = static_cast<std::size_t>(part_count(plan.blocks));
  std::vector<SuffStats>& part = work.part;
  if (part.size() < parts) part.resize(parts);
  for (std::size_t p = 0; p < parts; ++p) {
    part[p].reset(static_cast<int>(x.cols()), k, shifts, kind);
  }
  for_each_block(x, k, plan, work.scratch, [&](Index p, BlockScratch& s, Index r0, Index rows) {
    body(s, part[static_cast<std::size_t>(p)], r0, rows);
  });
  out = part[0];
  for (std::size_t p = 1; p < parts; ++p) out.add(part[p]);
  finish_scatter(out);
}

template <class Body>
void accumulate_blocks(DataMap x, int k, const Matrix& shifts, ScatterKind kind, int threads,
                       SuffStats& out, Body body) {
  EStepWorkspace::Impl work;
  accumulate_blocks(x, k, shifts, kind, threads, out, work, body);
}

}  // namespace

void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads, SuffStats& out,
                 EStepWorkspace& work) {
  const int k = static_cast<int>(c.log_prop.size());
  accumulate_blocks(x, k, c.means, kind, threads, out, *work.impl_,
                    [&](BlockScratch& s, SuffStats& st, Index r0, Index rows) {
                      block_log_densities(x, r0, c, rows, s);
                      block_normalise(x, r0, c, rows, s, &st.loglik, &st.sum_log_max, false);
                      block_accumulate(x, r0, rows, s, st);
                    });
}

void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads,
                 SuffStats& out) {
  EStepWorkspace work;
  estep_stats(x, c, kind, threads, out, work);
}

void estep_posterior(DataMap x, const Components& c, int threads, Matrix* posterior,
                     Vector* logdens) {
  const Index n = x.rows();
  const Index k = c.log_prop.size();
  if (posterior) posterior->resize(n, k);
  if (logdens) logdens->resize(n);
  const int kk = static_cast<int>(k);
  for_each_block(x, kk, plan_blocks(x, kk, threads), [&](Index, BlockScratch& s, Index r0,
                                                         Index rows) {
    double ll = 0.0, lm = 0.0;
    block_log_densities(x, r0, c, rows, s);
    block_normalise(x, r0, c, rows, s, &ll, &lm, true);
    if (posterior) posterior->middleRows(r0, rows) = s.ld.topRows(rows);
    if (logdens) logdens->segment(r0, rows) = s.rsum.head(rows);
  });
}

Matrix start_means(const SuffStats& first) {
  Matrix means = Matrix::Zero(first.sum.rows(), first.weight.size());
  for (Index j = 0; j < first.weight.size(); ++j) {
    if (first.weight(j) > 0.0) means.col(j) = first.sum.col(j) / first.weight(j);
  }
  return means;
}

void labels_pass(DataMap x, const IntVector& labels, int k, const Matrix* means, ScatterKind kind,
                 int threads, SuffStats& out) {
  const int d = static_cast<int>(x.cols());
  const bool second = means != nullptr;
  accumulate_blocks(x, k, second ? *means : Matrix::Zero(d, k),
                    second ? kind : ScatterKind::diagonal, threads, out,
                    [&](BlockScratch& s, SuffStats& st, Index r0, Index rows) {
                      block_accumulate_labels(x, r0, rows, labels, second, s, st);
                    });
}

void weights_pass(DataMap x, DataMap weights, int k, const Matrix* means, ScatterKind kind,
                  int threads, SuffStats& out) {
  const int d = static_cast<int>(x.cols());
  const bool second = means != nullptr;
  accumulate_blocks(x, k, second ? *means : Matrix::Zero(d, k),
                    second ? kind : ScatterKind::diagonal, threads, out,
                    [&](BlockScratch& s, SuffStats& st, Index r0, Index rows) {
                      s.ld.topRows(rows) = weights.middleRows(r0, rows);
                      block_accumulate(x, r0, rows, s, st);
                    });
}

// Statistics of a start, in two passes: the first finds each component's
// weighted mean, the second accumulates about it (no cancellation however far
// the data sit from the origin).
void stats_from_labels(DataMap x, const IntVector& labels, int k, ScatterKind kind, int threads,
                       SuffStats& out) {
  SuffStats first;
  labels_pass(x, labels, k, nullptr, kind, threads, first);
  const Matrix means = start_means(first);
  labels_pass(x, labels, k, &means, kind, threads, out);
}

void stats_from_weights(DataMap x, DataMap weights, int k, ScatterKind kind, int threads,
                        SuffStats& out) {
  SuffStats first;
  weights_pass(x, weights, k, nullptr, kind, threads, first);
  const Matrix means = start_means(first);
  weights_pass(x, weights, k, &means, kind, threads, out);
}

}  // namespace emgmm
