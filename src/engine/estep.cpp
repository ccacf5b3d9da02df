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
#include <string>
#include <unordered_map>

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
                     double* loglik, double* log_max, bool per_row, const double* rw = nullptr) {
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
    if (rw != nullptr) {
      // weighted rows: each row's terms count w_i times, and its posteriors
      // carry its weight into the statistics
      const Eigen::Map<const Vector> w(rw, rows);
      for (Index j = 0; j < k; ++j) ld.col(j).array() *= inv.array() * w.array();
      double ll = 0.0, lm = 0.0;
      for (Index i = 0; i < rows; ++i) {
        if (w(i) == 0.0) continue;
        const double lt = std::log(t(i));
        ll += w(i) * (m(i) + lt);
        lm -= w(i) * lt;
      }
      *loglik += ll;
      *log_max += lm;
      if (per_row) t.array() = m.array() + t.array().log();
      return;
    }
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
  if (rw != nullptr) {
    const Eigen::Map<const Vector> w(rw, rows);
    for (Index i = 0; i < rows; ++i) {
      if (w(i) == 0.0) continue;
      *loglik += w(i) * t(i);
      *log_max += w(i) * std::log(ld.row(i).maxCoeff());
    }
    ld.array().colwise() *= w.array();
    return;
  }
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

// Adds to component j of `st` the weighted sum (weights `w`) of the first
// `rows` rows of the centred block s.xc and, when `scatter`, their weighted
// scatter (its diagonal only for ScatterKind::diagonal; the lower triangle
// for full scatter).  s.xc may be scaled in place; `w` must not be s.q.
void accumulate_centred(BlockScratch& s, const Eigen::Ref<const Vector>& w, Index rows,
                        bool scatter, SuffStats& st, Index j) {
  const Index d = st.sum.rows();
  for (Index c = 0; c < d; ++c) st.sum(c, j) += s.xc.col(c).head(rows).dot(w);
  if (!scatter) return;
  Matrix& sc = st.scatter[static_cast<std::size_t>(j)];
  if (st.kind == ScatterKind::diagonal) {
    for (Index c = 0; c < d; ++c) sc(c, c) += s.xc.col(c).head(rows).cwiseAbs2().dot(w);
  } else if (d <= kSmallD) {
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
    accumulate_centred(s, w, rows, true, st, j);
  }
}

// Adds the statistics of a hard partition (labels in 0..k-1, negative =
// row left out) to `st`: each row counts for its own component only, so the
// rows of each label are gathered, centred on the label's shift, and summed
// (with their scatter when `with_scatter`).
void block_accumulate_labels(DataMap x, Index r0, Index rows, const IntVector& labels,
                             bool with_scatter, BlockScratch& s, SuffStats& st,
                             const double* rw) {
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
    if (rw != nullptr) {
      // weighted rows (their weights in rsum)
      auto w = s.rsum.head(m);
      for (Index r = 0; r < m; ++r) w(r) = rw[s.order[first + r]];
      st.weight(j) += w.sum();
      accumulate_centred(s, w, m, with_scatter, st, j);
      continue;
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
                 EStepWorkspace& work, const double* rw) {
  const int k = static_cast<int>(c.log_prop.size());
  accumulate_blocks(x, k, c.means, kind, threads, out, *work.impl_,
                    [&](BlockScratch& s, SuffStats& st, Index r0, Index rows) {
                      block_log_densities(x, r0, c, rows, s);
                      block_normalise(x, r0, c, rows, s, &st.loglik, &st.sum_log_max, false,
                                      rw != nullptr ? rw + r0 : nullptr);
                      block_accumulate(x, r0, rows, s, st);
                    });
}

void estep_stats(DataMap x, const Components& c, ScatterKind kind, int threads,
                 SuffStats& out, const double* rw) {
  EStepWorkspace work;
  estep_stats(x, c, kind, threads, out, work, rw);
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
                 int threads, SuffStats& out, const double* rw) {
  const int d = static_cast<int>(x.cols());
  const bool second = means != nullptr;
  accumulate_blocks(x, k, second ? *means : Matrix::Zero(d, k),
                    second ? kind : ScatterKind::diagonal, threads, out,
                    [&](BlockScratch& s, SuffStats& st, Index r0, Index rows) {
                      block_accumulate_labels(x, r0, rows, labels, second, s, st, rw);
                    });
}

void weights_pass(DataMap x, DataMap weights, int k, const Matrix* means, ScatterKind kind,
                  int threads, SuffStats& out, const double* rw) {
  const int d = static_cast<int>(x.cols());
  const bool second = means != nullptr;
  accumulate_blocks(x, k, second ? *means : Matrix::Zero(d, k),
                    second ? kind : ScatterKind::diagonal, threads, out,
                    [&](BlockScratch& s, SuffStats& st, Index r0, Index rows) {
                      s.ld.topRows(rows) = weights.middleRows(r0, rows);
                      if (rw != nullptr) {
                        s.ld.topRows(rows).array().colwise() *=
                            Eigen::Map<const Vector>(rw + r0, rows).array();
                      }
                      block_accumulate(x, r0, rows, s, st);
                    });
}

// Statistics of a start, in two passes: the first finds each component's
// weighted mean, the second accumulates about it (no cancellation however far
// the data sit from the origin).
void stats_from_labels(DataMap x, const IntVector& labels, int k, ScatterKind kind, int threads,
                       SuffStats& out, const double* rw) {
  SuffStats first;
  labels_pass(x, labels, k, nullptr, kind, threads, first, rw);
  const Matrix means = start_means(first);
  labels_pass(x, labels, k, &means, kind, threads, out, rw);
}

void stats_from_weights(DataMap x, DataMap weights, int k, ScatterKind kind, int threads,
                        SuffStats& out, const double* rw) {
  SuffStats first;
  weights_pass(x, weights, k, nullptr, kind, threads, first, rw);
  const Matrix means = start_means(first);
  weights_pass(x, weights, k, &means, kind, threads, out, rw);
}


// ---- Missing values -------------------------------------------------------

MissingRows group_patterns(DataMap x, const double* rw) {
  MissingRows m;
  m.n = x.rows();
  m.d = x.cols();
  const Index n = x.rows();
  const Index d = x.cols();
  // each row's pattern as a string of 0/1 (observed), grouped in the order
  // patterns first appear, complete rows first
  std::vector<std::string> key(static_cast<std::size_t>(n), std::string(static_cast<std::size_t>(d), '1'));
  for (Index c = 0; c < d; ++c) {
    for (Index i = 0; i < n; ++i) {
      if (std::isnan(x(i, c))) {
        key[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)] = '0';
      }
    }
  }
  const std::string complete(static_cast<std::size_t>(d), '1');
  const std::string none(static_cast<std::size_t>(d), '0');
  std::vector<std::string> seen;
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::vector<Index>> members;
  seen.push_back(complete);
  index.emplace(complete, 0);
  members.emplace_back();
  for (Index i = 0; i < n; ++i) {
    if (rw != nullptr && rw[i] == 0.0) continue;
    const std::string& kk = key[static_cast<std::size_t>(i)];
    if (kk == none) {
      m.empty.push_back(i);
      continue;
    }
    const auto found = index.emplace(kk, seen.size());
    if (found.second) {
      seen.push_back(kk);
      members.emplace_back();
    }
    members[found.first->second].push_back(i);
  }
  for (std::size_t p = 0; p < seen.size(); ++p) {
    if (members[p].empty()) continue;
    Pattern pat;
    for (Index c = 0; c < d; ++c) {
      (seen[p][static_cast<std::size_t>(c)] == '1' ? pat.obs : pat.mis).push_back(c);
    }
    pat.rows = members[p];
    const Index r = static_cast<Index>(pat.rows.size());
    pat.x.resize(r, static_cast<Index>(pat.obs.size()));
    for (std::size_t a = 0; a < pat.obs.size(); ++a) {
      for (Index i = 0; i < r; ++i) pat.x(i, static_cast<Index>(a)) = x(pat.rows[static_cast<std::size_t>(i)], pat.obs[a]);
    }
    if (rw != nullptr) {
      pat.w.resize(r);
      for (Index i = 0; i < r; ++i) pat.w(i) = rw[pat.rows[static_cast<std::size_t>(i)]];
    }
    m.patterns.push_back(std::move(pat));
  }
  return m;
}

namespace {

// One pattern's view of the components: the marginal components of its
// observed coordinates, and per component the regression of the missing
// coordinates on the observed ones (B_j = S_mo S_oo^-1) and their
// conditional covariance (C_j = S_mm - B_j S_om).
struct PatternComponents {
  Components marginal;
  std::vector<Matrix> coef;  // k of mis x obs
  std::vector<Matrix> cond;  // k of mis x mis
};

bool prepare_pattern(const Pattern& pat, const Params& p, PatternComponents& out) {
  const int k = p.k();
  const Index no = static_cast<Index>(pat.obs.size());
  const Index nm = static_cast<Index>(pat.mis.size());
  Params mp;
  mp.proportions = p.proportions;
  mp.means.resize(no, k);
  mp.covariances.resize(static_cast<std::size_t>(k));
  out.coef.resize(static_cast<std::size_t>(k));
  out.cond.resize(static_cast<std::size_t>(k));
  for (int j = 0; j < k; ++j) {
    const Matrix& s = p.covariances[static_cast<std::size_t>(j)];
    Matrix soo(no, no), smo(nm, no), smm(nm, nm);
    for (Index a = 0; a < no; ++a) {
      mp.means(a, j) = p.means(pat.obs[static_cast<std::size_t>(a)], j);
      for (Index b = 0; b < no; ++b) soo(a, b) = s(pat.obs[static_cast<std::size_t>(a)], pat.obs[static_cast<std::size_t>(b)]);
    }
    for (Index a = 0; a < nm; ++a) {
      for (Index b = 0; b < no; ++b) smo(a, b) = s(pat.mis[static_cast<std::size_t>(a)], pat.obs[static_cast<std::size_t>(b)]);
      for (Index b = 0; b < nm; ++b) smm(a, b) = s(pat.mis[static_cast<std::size_t>(a)], pat.mis[static_cast<std::size_t>(b)]);
    }
    mp.covariances[static_cast<std::size_t>(j)] = soo;
    if (nm > 0) {
      const Eigen::LLT<Matrix> llt(soo);
      if (llt.info() != Eigen::Success) return false;
      Matrix& b = out.coef[static_cast<std::size_t>(j)];
      b = llt.solve(smo.transpose()).transpose();
      Matrix& c = out.cond[static_cast<std::size_t>(j)];
      c = smm - b * smo.transpose();
      c = 0.5 * (c + c.transpose()).eval();
    }
  }
  int bad = -1;
  return prepare_components(mp, out.marginal, bad) == Status::ok;
}

// A block of rows of one pattern: the unit of work of the missing-value passes.
struct PatternBlock {
  std::size_t pattern;
  Index r0, rows;
};

std::vector<PatternBlock> pattern_blocks(const MissingRows& m, int k) {
  std::vector<PatternBlock> out;
  const Index b = block_rows(static_cast<int>(m.d), k);
  for (std::size_t p = 0; p < m.patterns.size(); ++p) {
    const Index r = static_cast<Index>(m.patterns[p].rows.size());
    for (Index r0 = 0; r0 < r; r0 += b) out.push_back(PatternBlock{p, r0, std::min(b, r - r0)});
  }
  return out;
}

bool prepare_patterns(const MissingRows& m, const Params& p, int threads,
                      std::vector<PatternComponents>& pc) {
  pc.resize(m.patterns.size());
  const Index np = static_cast<Index>(m.patterns.size());
  std::vector<char> ok(m.patterns.size(), 1);
  parallel_blocks(np, effective_threads(threads, np), [&](int, Index, Index q) {
    const std::size_t i = static_cast<std::size_t>(q);
    ok[i] = prepare_pattern(m.patterns[i], p, pc[i]) ? 1 : 0;
  });
  return std::all_of(ok.begin(), ok.end(), [](char v) { return v != 0; });
}

// The posteriors of one pattern block (times the rows' weights when
// `weighted`) into s.ld, and the block's log-likelihood terms.
void pattern_block_posteriors(const Pattern& pat, const PatternComponents& pc,
                              const PatternBlock& u, BlockScratch& s, double* loglik,
                              double* log_max, bool per_row, bool weighted) {
  const DataMap xo(pat.x.data(), pat.x.rows(), pat.x.cols());
  block_log_densities(xo, u.r0, pc.marginal, u.rows, s);
  block_normalise(xo, u.r0, pc.marginal, u.rows, s, loglik, log_max, per_row,
                  weighted && pat.w.size() > 0 ? pat.w.data() + u.r0 : nullptr);
}

// s.xc = the block's rows completed by component j's conditional means,
// minus that component's mean.
void complete_block(const Pattern& pat, const PatternComponents& pc, const Params& p, int j,
                    const PatternBlock& u, BlockScratch& s) {
  const Index no = static_cast<Index>(pat.obs.size());
  for (Index a = 0; a < no; ++a) {
    s.xc.col(pat.obs[static_cast<std::size_t>(a)]).head(u.rows).array() =
        pat.x.col(a).segment(u.r0, u.rows).array() - p.means(pat.obs[static_cast<std::size_t>(a)], j);
  }
  const Matrix& b = pc.coef[static_cast<std::size_t>(j)];
  for (std::size_t a = 0; a < pat.mis.size(); ++a) {
    auto col = s.xc.col(pat.mis[a]).head(u.rows);
    col.setZero();
    for (Index c = 0; c < no; ++c) {
      col += b(static_cast<Index>(a), c) * s.xc.col(pat.obs[static_cast<std::size_t>(c)]).head(u.rows);
    }
  }
}

}  // namespace

bool estep_stats_missing(const MissingRows& m, const Params& p, ScatterKind kind, int threads,
                         SuffStats& out) {
  const int k = p.k();
  const Index d = m.d;
  std::vector<PatternComponents> pc;
  if (!prepare_patterns(m, p, threads, pc)) {
    out.reset(static_cast<int>(d), k, p.means, kind);
    out.loglik = std::numeric_limits<double>::quiet_NaN();
    return false;
  }
  const std::vector<PatternBlock> units = pattern_blocks(m, k);
  const Index nunits = static_cast<Index>(units.size());
  const BlockPlan plan{block_rows(static_cast<int>(d), k), nunits,
                       effective_threads(threads, nunits)};
  const std::size_t parts = static_cast<std::size_t>(part_count(nunits));
  std::vector<SuffStats> part(parts);
  for (SuffStats& st : part) st.reset(static_cast<int>(d), k, p.means, kind);
  std::vector<BlockScratch> scratch(static_cast<std::size_t>(std::max(1, plan.threads)));
  for (BlockScratch& s : scratch) s.allocate(plan.rows, d, k);
  const bool full = part[0].kind == ScatterKind::full;
  parallel_blocks(nunits, plan.threads, [&](int t, Index q, Index b) {
    const PatternBlock& u = units[static_cast<std::size_t>(b)];
    const Pattern& pat = m.patterns[u.pattern];
    const PatternComponents& c = pc[u.pattern];
    BlockScratch& s = scratch[static_cast<std::size_t>(t)];
    SuffStats& st = part[static_cast<std::size_t>(q)];
    pattern_block_posteriors(pat, c, u, s, &st.loglik, &st.sum_log_max, false, true);
    for (int j = 0; j < k; ++j) {
      const auto w = s.ld.col(j).head(u.rows);
      const double wsum = w.sum();
      st.weight(j) += wsum;
      complete_block(pat, c, p, j, u, s);
      accumulate_centred(s, w, u.rows, true, st, j);
      // the conditional covariance of the missing coordinates
      Matrix& sc = st.scatter[static_cast<std::size_t>(j)];
      const Matrix& cc = c.cond[static_cast<std::size_t>(j)];
      for (std::size_t a = 0; a < pat.mis.size(); ++a) {
        for (std::size_t bb = a; bb < (full ? pat.mis.size() : a + 1); ++bb) {
          const Index ra = pat.mis[a], rb = pat.mis[bb];
          sc(std::max(ra, rb), std::min(ra, rb)) += wsum * cc(static_cast<Index>(bb), static_cast<Index>(a));
        }
      }
    }
  });
  out = part[0];
  for (std::size_t q = 1; q < parts; ++q) out.add(part[q]);
  finish_scatter(out);
  return true;
}

bool estep_posterior_missing(const MissingRows& m, const Params& p, int threads,
                             Matrix* posterior, Vector* logdens, Matrix* completed) {
  const int k = p.k();
  const Index d = m.d;
  std::vector<PatternComponents> pc;
  if (!prepare_patterns(m, p, threads, pc)) return false;
  if (posterior) posterior->resize(m.n, k);
  if (logdens) logdens->resize(m.n);
  if (completed) completed->resize(m.n, d);
  for (const Index i : m.empty) {
    if (posterior) posterior->row(i) = p.proportions.transpose();
    if (logdens) (*logdens)(i) = 0.0;
    if (completed) completed->row(i) = (p.means * p.proportions).transpose();
  }
  const std::vector<PatternBlock> units = pattern_blocks(m, k);
  const Index nunits = static_cast<Index>(units.size());
  const int nt = effective_threads(threads, nunits);
  std::vector<BlockScratch> scratch(static_cast<std::size_t>(std::max(1, nt)));
  for (BlockScratch& s : scratch) s.allocate(block_rows(static_cast<int>(d), k), d, k);
  std::vector<Matrix> fill(static_cast<std::size_t>(std::max(1, nt)));
  parallel_blocks(nunits, nt, [&](int t, Index, Index b) {
    const PatternBlock& u = units[static_cast<std::size_t>(b)];
    const Pattern& pat = m.patterns[u.pattern];
    const PatternComponents& c = pc[u.pattern];
    BlockScratch& s = scratch[static_cast<std::size_t>(t)];
    double ll = 0.0, lm = 0.0;
    pattern_block_posteriors(pat, c, u, s, &ll, &lm, true, false);
    for (Index r = 0; r < u.rows; ++r) {
      const Index i = pat.rows[static_cast<std::size_t>(u.r0 + r)];
      if (posterior) posterior->row(i) = s.ld.row(r);
      if (logdens) (*logdens)(i) = s.rsum(r);
    }
    if (!completed) return;
    // the conditional mean of each missing value: the posterior-weighted
    // conditional means of the components
    Matrix& f = fill[static_cast<std::size_t>(t)];
    f.setZero(u.rows, d);
    const Matrix post = s.ld.topRows(u.rows);
    for (int j = 0; j < k; ++j) {
      complete_block(pat, c, p, j, u, s);
      for (Index a = 0; a < d; ++a) {
        f.col(a).array() += post.col(j).array() * (s.xc.col(a).head(u.rows).array() + p.means(a, j));
      }
    }
    for (Index r = 0; r < u.rows; ++r) {
      const Index i = pat.rows[static_cast<std::size_t>(u.r0 + r)];
      completed->row(i) = f.row(r);
      for (std::size_t a = 0; a < pat.obs.size(); ++a) {
        (*completed)(i, pat.obs[a]) = pat.x(u.r0 + r, static_cast<Index>(a));
      }
    }
  });
  return true;
}

}  // namespace emgmm
