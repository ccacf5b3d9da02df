// emgmm engine: model-based agglomerative hierarchical clustering (see hc.h).
//
// The VVV criterion (Banfield and Raftery 1993, regularised as in Fraley 1998
// and mclust): a group g of n_g points with scatter W_g costs
//   T(g) = n_g log(beta (tr W_g + alpha) / n_g)                  if n_g <= p,
//   T(g) = n_g log(|W_g / n_g| + beta (tr W_g + alpha) / n_g)     otherwise,
// and merging i and j costs T(i u j) - T(i) - T(j).  Each group is kept as
// sqrt(n_g) times its mean and an upper-triangular factor of W_g, updated by
// Givens rotations.  The code mirrors mclust's hcvvv and hceii (Fortran)
// statement by statement -- 1-based indices, the same storage of a group's
// factor rows in the rows of freed observations, the same order of every
// floating-point operation -- because merges are decided by comparisons that
// rounding can flip.  mclust stores every row of a merged group's factor as
// the factor's first row; that is reproduced too, since its merges depend on
// it.
#include "hc.h"

#include <algorithm>
#include <cmath>

namespace emgmm {
namespace {

constexpr double kFlmax = 1.7976931348623157e308;
constexpr double kEpsmax = 2.2204460492503131e-16;
constexpr double kRtHalf = .7071067811865476;

// ---- level-1 BLAS, as the reference implementation (LAPACK 3.11) computes ----

double ddot(int n, const double* x, int incx, const double* y, int incy) {
  double t = 0.0;
  for (int i = 0; i < n; ++i) t = t + x[i * incx] * y[i * incy];
  return t;
}

void daxpy(int n, double a, const double* x, int incx, double* y, int incy) {
  if (n <= 0 || a == 0.0) return;
  for (int i = 0; i < n; ++i) y[i * incy] = y[i * incy] + a * x[i * incx];
}

void dscal(int n, double a, double* x, int incx) {
  for (int i = 0; i < n; ++i) x[i * incx] = a * x[i * incx];
}

void dcopy(int n, const double* x, int incx, double* y, int incy) {
  for (int i = 0; i < n; ++i) y[i * incy] = x[i * incx];
}

void drot(int n, double* x, int incx, double* y, int incy, double c, double s) {
  for (int i = 0; i < n; ++i) {
    const double t = c * x[i * incx] + s * y[i * incy];
    y[i * incy] = c * y[i * incy] - s * x[i * incx];
    x[i * incx] = t;
  }
}

void drotg(double& a, double& b, double& c, double& s) {
  const double safmin = 2.2250738585072014e-308;  // 2^-1022
  const double safmax = 1.0 / safmin;
  const double anorm = std::fabs(a);
  const double bnorm = std::fabs(b);
  if (bnorm == 0.0) {
    c = 1.0;
    s = 0.0;
    b = 0.0;
  } else if (anorm == 0.0) {
    c = 0.0;
    s = 1.0;
    a = b;
    b = 1.0;
  } else {
    const double scl = std::min(safmax, std::max(safmin, std::max(anorm, bnorm)));
    const double sigma = anorm > bnorm ? std::copysign(1.0, a) : std::copysign(1.0, b);
    const double as = a / scl;
    const double bs = b / scl;
    const double r = sigma * (scl * std::sqrt(as * as + bs * bs));
    c = a / r;
    s = b / r;
    double z;
    if (anorm > bnorm) {
      z = s;
    } else if (c != 0.0) {
      z = 1.0 / c;
    } else {
      z = 1.0;
    }
    a = r;
    b = z;
  }
}

// Column-major matrix with 1-based (row, column) access and Fortran leading
// dimension, so that the ports below read like the Fortran they mirror.
struct FMat {
  double* base;
  int ld;
  double& operator()(int i, int j) const {
    return base[(i - 1) + static_cast<std::ptrdiff_t>(j - 1) * ld];
  }
  double* at(int i, int j) const { return &(*this)(i, j); }
};

// mclust's mclrup: adds the row v to the triangular factor r (leading
// dimension lr, n columns) of a group that had l - 1 points.
void mclrup(int l, int n, double* v, FMat r) {
  if (l == 1) return;
  double cs = 0.0, sn = 0.0;
  const int k = l - 1;
  if (k <= n) {
    dcopy(n, v, 1, r.at(k, 1), r.ld);
    if (k == 1) return;
    if (n > 1) {
      int i = 1;
      int m = n;
      for (int j = 2; j <= k; ++j) {
        drotg(r(i, i), r(k, i), cs, sn);
        m = m - 1;
        drot(m, r.at(i, j), r.ld, r.at(k, j), r.ld, cs, sn);
        i = j;
      }
    } else {
      drotg(r(1, 1), r(k, 1), cs, sn);
    }
  } else {
    if (n > 1) {
      int i = 1;
      int m = n;
      for (int j = 2; j <= n; ++j) {
        drotg(r(i, i), v[i - 1], cs, sn);
        m = m - 1;
        drot(m, r.at(i, j), r.ld, v + (j - 1), 1, cs, sn);
        i = j;
      }
    }
    drotg(r(n, n), v[n - 1], cs, sn);
  }
}

// ---- the table of pair costs, packed by rows as mclust stores it ----
//
// Entry (j, i), i < j <= g, is d[(j-1)(j-2)/2 + i] (1-based).  mclust finds
// the cheapest pair by scanning all entries in this order and keeping the
// last one that is <= the minimum so far.  Here every row keeps its minimum
// and the largest column attaining it; after a merge only the rows whose
// entries changed are refreshed, and the rows are compared in order, so the
// pair found is the same.
class PairTable {
 public:
  explicit PairTable(int g)
      : d_(static_cast<std::size_t>(packed(g)) + 1, 0.0),
        rmin_(static_cast<std::size_t>(g) + 1, kFlmax),
        rarg_(static_cast<std::size_t>(g) + 1, 0) {}

  static std::ptrdiff_t packed(int g) {
    return static_cast<std::ptrdiff_t>(g) * (g - 1) / 2;
  }
  static std::ptrdiff_t index(int j, int i) { return packed(j - 1) + i; }

  double* data() { return d_.data(); }  // 1-based: data()[1] is (2, 1)

  // Swaps group slots i < n as mclust's wardsw does (slot n is to be dropped).
  void wardsw(int i, int n) {
    double* d = d_.data();
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

  void rescan(int j) {
    const double* row = d_.data() + packed(j - 1);
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

  void rescan_all(int g) {
    for (int j = 2; j <= g; ++j) rescan(j);
  }

  // After slot `a` was rewritten (its row and its column) and slot `b` > a
  // received another group (its row and column replaced), for g groups.
  void refresh(int a, int b, int g) {
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

  // The cheapest pair among g groups, ties to the last in scan order.
  void argmin(int g, int& iopt, int& jopt, double& dopt) const {
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

 private:
  void consider(int j, int i) {
    const std::size_t sj = static_cast<std::size_t>(j);
    const double v = d_[static_cast<std::size_t>(index(j, i))];
    if (v < rmin_[sj] || (v == rmin_[sj] && i > rarg_[sj])) {
      rmin_[sj] = v;
      rarg_[sj] = i;
    }
  }

  std::vector<double> d_;
  std::vector<double> rmin_;
  std::vector<int> rarg_;
};

// mclust's final relabelling: merges of working slots (iopt, jopt) to pairs
// of group labels, the merged group keeping the smaller label.
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

// ---- VVV: mclust's hcvvv, for the partition into singletons ----

class HcVVV {
 public:
  HcVVV(DataMap data, double alpha, double beta)
      : n_(static_cast<int>(data.rows())),
        p_(static_cast<int>(data.cols())),
        xbuf_(static_cast<std::size_t>(n_) * (p_ + 1), 0.0),
        ic_(static_cast<std::size_t>(n_) + 1, 0),
        v_(static_cast<std::size_t>(p_), 0.0),
        u_(static_cast<std::size_t>(p_) * p_, 0.0),
        s_(static_cast<std::size_t>(p_) * p_, 0.0),
        r_(static_cast<std::size_t>(p_) * p_, 0.0),
        table_(n_) {
    for (int j = 0; j < p_; ++j) {
      for (int i = 0; i < n_; ++i) xbuf_[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * n_] = data(i, j);
    }
    alpha_ = std::max(alpha, kEpsmax);
    beta_ = beta;
    ablog_ = std::log(beta_ * alpha_);
  }

  std::vector<Merge> run(const std::function<bool()>& interrupted);

 private:
  FMat X() { return FMat{xbuf_.data(), n_}; }
  FMat U() { return FMat{u_.data(), p_}; }
  FMat S() { return FMat{s_.data(), p_}; }
  FMat R() { return FMat{r_.data(), p_}; }
  int& ic(int i) { return ic_[static_cast<std::size_t>(i)]; }
  double* v() { return v_.data(); }

  double vvvtij(int l, FMat r, double s, double trac) const {
    double t;
    if (l <= p_) {
      t = std::log(beta_ * (trac + alpha_) / static_cast<double>(l));
    } else if (trac == 0.0) {
      t = std::log((alpha_ * beta_) / static_cast<double>(l));
    } else {
      const double detlog = det2mc(r, s);
      if (detlog == -kFlmax) {
        t = std::log(beta_ * (trac + alpha_) / static_cast<double>(l));
      } else if (detlog <= 0.0) {
        t = std::log(std::exp(detlog) + beta_ * (trac + alpha_) / static_cast<double>(l));
      } else {
        t = std::log(1.0 + std::exp(-detlog) * (beta_ * (trac + alpha_) / static_cast<double>(l))) +
            detlog;
      }
    }
    return static_cast<double>(l) * t;
  }

  double det2mc(FMat u, double s) const {
    double det = 0.0;
    for (int k = 1; k <= p_; ++k) {
      const double q = u(k, k) * s;
      if (std::fabs(q) <= 0.0) return -kFlmax;
      det = det + std::log(std::fabs(q));
    }
    return 2.0 * det;
  }

  void zero(std::vector<double>& a) { std::fill(a.begin(), a.end(), 0.0); }

  // Copies the factor rows of the group whose first holder row is `head`
  // (upper parts, from the diagonal on) into dst; returns the group's size.
  int copy_factor(int head, FMat dst) {
    int m = p_;
    int row = 1;
    int l = head;
    do {
      dcopy(m, X().at(l, row), n_, dst.at(row, row), dst.ld);
      row = row + 1;
      m = m - 1;
      l = ic(l);
    } while (l <= n_);
    return l - n_;
  }

  // Size of the group in slot g (its holder chain ends at n + size).
  int group_size(int g) {
    int l = ic(g);
    if (l == 1) return 1;
    while (l <= n_) l = ic(l);
    return l - n_;
  }

  // v = ca x_a - cb x_b (rows of x, as mclust: copy, scale, axpy); returns v'v.
  double scaled_difference(int a, double ca, int b, double cb) {
    FMat x = X();
    dcopy(p_, x.at(a, 1), n_, v(), 1);
    dscal(p_, ca, v(), 1);
    daxpy(p_, -cb, x.at(b, 1), n_, v(), 1);
    return ddot(p_, v(), 1, v(), 1);
  }

  // copies the upper parts of the first `rows` rows of a into b
  void copy_rows(FMat a, FMat b, int rows) {
    int m = p_;
    for (int k = 1; k <= rows; ++k) {
      dcopy(m, a.at(k, k), a.ld, b.at(k, k), b.ld);
      m = m - 1;
    }
  }

  int n_, p_;
  std::vector<double> xbuf_;
  std::vector<int> ic_;
  std::vector<double> v_, u_, s_, r_;
  PairTable table_;
  double alpha_ = 0.0, beta_ = 1.0, ablog_ = 0.0;
};

std::vector<Merge> HcVVV::run(const std::function<bool()>& interrupted) {
  const int n = n_;
  const int p = p_;
  const int pp1 = p + 1;
  const int ng = n;
  const int ns = n - 1;
  std::vector<Merge> slots;
  if (ng < 2) return slots;
  slots.reserve(static_cast<std::size_t>(ns));
  FMat x = X();
  double* d = table_.data();

  int iopt = 0, jopt = 0, nopt = 0, niop = 0, njop = 0;
  double tmop = 0.0, trop = 0.0, siop = 0.0, sjop = 0.0;
  int lg = ng;

  // every observation starts as its own group
  for (int k = 1; k <= ng; ++k) ic(k) = 1;

  // change in likelihood of every pair of singletons; the cheapest
  double dopt = kFlmax;
  std::ptrdiff_t ij = 0;
  for (int j = 2; j <= ng; ++j) {
    const double termj = ablog_;
    for (int i = 1; i <= j - 1; ++i) {
      dcopy(p, x.at(i, 1), n, v(), 1);
      daxpy(p, -1.0, x.at(j, 1), n, v(), 1);
      dscal(p, kRtHalf, v(), 1);
      const double trcij = ddot(p, v(), 1, v(), 1);
      dcopy(p, v(), 1, u_.data(), p);
      const double trmij = 2.0 * std::log(beta_ * (trcij + alpha_) / 2.0);
      const double termi = ablog_;
      const double dij = trmij - (termi + termj);
      d[++ij] = dij;
      if (dij <= dopt) {
        dopt = dij;
        trop = trcij;
        tmop = trmij;
        nopt = 2;
        niop = 1;
        njop = 1;
        siop = kRtHalf;
        sjop = kRtHalf;
        iopt = i;
        jopt = j;
        copy_rows(U(), R(), 1);
      }
    }
  }
  table_.rescan_all(ng);

  if (ns == 1) {
    slots.emplace_back(iopt, jopt);
    return relabel(slots, ng);
  }

  int ls = 1;
  for (;;) {
    // merge iopt and jopt (iopt < jopt) into slot iopt; slot lg moves to jopt
    dcopy(p, x.at(iopt, 1), n, v(), 1);
    dscal(p, siop, v(), 1);
    daxpy(p, sjop, x.at(jopt, 1), n, v(), 1);

    const int jold = jopt;
    if (jopt != lg) {
      table_.wardsw(jopt, lg);
      dcopy(p, x.at(lg, 1), n, x.at(jopt, 1), n);
      const int m = ic(jopt);
      const int icj = ic(lg);
      if (icj != 1) x(jopt, pp1) = x(lg, pp1);
      ic(jopt) = icj;
      ic(lg) = m;
    }

    int m = 0;
    if (niop == 1) {
      ic(iopt) = lg;
    } else {
      int l = ic(iopt);
      for (int k = 1; k <= std::min(niop - 1, p); ++k) {
        m = l;
        l = ic(l);
      }
      ic(m) = lg;
    }

    {
      int l = ic(iopt);
      for (int k = 1; k <= std::min(nopt - 1, p); ++k) {
        dcopy(p, r_.data(), p, x.at(l, 1), n);  // the first row of r, as mclust does
        m = l;
        l = ic(l);
      }
      ic(m) = nopt + n;
    }

    x(iopt, pp1) = 0.0;
    if (nopt >= 2) {
      x(iopt, pp1) = trop;
      x(ic(iopt), pp1) = tmop;
    }
    dcopy(p, v(), 1, x.at(iopt, 1), n);

    slots.emplace_back(iopt, jopt);

    lg = lg - 1;

    const int iold = iopt;
    dopt = kFlmax;
    const int ni = nopt;
    const double ri = static_cast<double>(ni);
    const double termi = tmop;
    const double traci = trop;

    // costs of merging the new group with every other group
    ij = PairTable::packed(iold - 1);
    auto pair_cost = [&](int j, bool below) {
      zero(u_);
      copy_rows(R(), U(), std::min(ni - 1, p));
      int nj = 1;
      const int icj = ic(j);
      int nij;
      double si, sj, sij, trcij, termj;
      if (icj == 1) {
        nij = ni + 1;
        const double rij = static_cast<double>(nij);
        const double qij = 1.0 / rij;
        const double qi = ri * qij;
        si = std::sqrt(qi);
        sj = std::sqrt(qij);
        sij = sj;
        trcij = traci + scaled_difference(j, si, iold, sj);
        termj = ablog_;
      } else {
        int mm = p;
        int l = icj;
        int k = ni + 1;
        do {
          dcopy(mm, x.at(l, nj), n, v(), 1);
          mclrup(k, mm, v(), FMat{U().at(nj, nj), p});
          k = k + 1;
          nj = nj + 1;
          mm = mm - 1;
          l = ic(l);
        } while (l <= n);
        nj = l - n;
        const double tracj = x(j, pp1);
        termj = x(ic(j), pp1);
        const double rj = static_cast<double>(nj);
        nij = ni + nj;
        const double rij = static_cast<double>(nij);
        const double qij = 1.0 / rij;
        const double qi = ri * qij;
        const double qj = rj * qij;
        si = std::sqrt(qi);
        sj = std::sqrt(qj);
        sij = std::sqrt(qij);
        trcij = (traci + tracj) + scaled_difference(j, si, iold, sj);
      }
      mclrup(nij, p, v(), U());
      const double trmij = vvvtij(nij, U(), sij, trcij);
      const double dij = trmij - (termi + termj);
      if (dij <= dopt) {
        dopt = dij;
        trop = trcij;
        tmop = trmij;
        nopt = nij;
        if (below) {
          niop = nj;
          njop = ni;
          siop = sj;
          sjop = si;
          iopt = j;
          jopt = iold;
        } else {
          niop = ni;
          njop = nj;
          siop = si;
          sjop = sj;
          iopt = iold;
          jopt = j;
        }
        copy_rows(U(), S(), std::min(nij - 1, p));
      }
      return dij;
    };
    for (int j = 1; j <= iold - 1; ++j) d[++ij] = pair_cost(j, true);
    if (iold < lg) {
      int i = iold;
      ij = ij + i;
      for (int j = iold + 1; j <= lg; ++j) {
        d[ij] = pair_cost(j, false);
        ij = ij + i;
        i = j;
      }
    }
    table_.refresh(iold, jold, lg);

    // the cheapest pair overall
    table_.argmin(lg, iopt, jopt, dopt);
    if (lg == 2) break;

    zero(r_);
    if (iopt != iold && jopt != iold) {
      const int i = iopt;
      const int j = jopt;
      int nj = 1;
      const int icj = ic(j);
      int ni2 = 1;
      const int ici = ic(i);
      int nij;
      double si, sj, trcij, termi2, termj;
      if (icj == 1) {
        termj = ablog_;
        if (ici == 1) {
          nij = 2;
          si = kRtHalf;
          sj = kRtHalf;
          dcopy(p, x.at(i, 1), n, v(), 1);
          daxpy(p, -1.0, x.at(j, 1), n, v(), 1);
          dscal(p, kRtHalf, v(), 1);
          trcij = ddot(p, v(), 1, v(), 1);
          dcopy(p, v(), 1, r_.data(), p);
          termi2 = ablog_;
        } else {
          ni2 = copy_factor(ici, R());
          const double traci2 = x(i, pp1);
          termi2 = x(ic(i), pp1);
          const double ri2 = static_cast<double>(ni2);
          nij = ni2 + 1;
          const double qij = 1.0 / static_cast<double>(nij);
          const double qi = ri2 * qij;
          si = std::sqrt(qi);
          sj = std::sqrt(qij);
          trcij = traci2 + scaled_difference(i, sj, j, si);
          mclrup(nij, p, v(), R());
        }
      } else {
        nj = copy_factor(icj, R());
        const double tracj = x(j, pp1);
        termj = x(ic(j), pp1);
        const double rj = static_cast<double>(nj);
        if (ici == 1) {
          nij = nj + 1;
          const double qij = 1.0 / static_cast<double>(nij);
          const double qj = rj * qij;
          si = std::sqrt(qij);
          sj = std::sqrt(qj);
          trcij = tracj + scaled_difference(i, sj, j, si);
          termi2 = ablog_;
        } else {
          int mm = p;
          int l = ici;
          const int k = nj + 1;
          do {
            dcopy(mm, x.at(l, ni2), n, v(), 1);
            mclrup(k, mm, v(), FMat{R().at(ni2, ni2), p});
            ni2 = ni2 + 1;
            mm = mm - 1;
            l = ic(l);
          } while (l <= n);
          ni2 = l - n;
          const double traci2 = x(i, pp1);
          termi2 = x(ic(i), pp1);
          const double ri2 = static_cast<double>(ni2);
          nij = ni2 + nj;
          const double qij = 1.0 / static_cast<double>(nij);
          const double qi = ri2 * qij;
          const double qj = rj * qij;
          si = std::sqrt(qi);
          sj = std::sqrt(qj);
          trcij = (traci2 + tracj) + scaled_difference(i, sj, j, si);
        }
        mclrup(nij, p, v(), R());
      }
      trop = trcij;
      tmop = dopt + (termi2 + termj);
      nopt = nij;
      niop = ni2;
      njop = nj;
      siop = si;
      sjop = sj;
    } else {
      copy_rows(S(), R(), std::min(nopt - 1, p));
      niop = group_size(iopt);
      njop = group_size(jopt);
      nopt = niop + njop;
    }

    ls = ls + 1;
    if (ls == ns) break;
    if (interrupted && ls % 256 == 0 && interrupted()) return relabel(slots, ng);
  }
  slots.emplace_back(iopt, jopt);
  return relabel(slots, ng);
}

// ---- EII: mclust's hceii (Ward's criterion by the Lance-Williams update) ----

std::vector<Merge> hc_eii(DataMap data, const std::function<bool()>& interrupted) {
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

  int iopt = 0, jopt = 0;
  double dopt = kFlmax;
  std::ptrdiff_t ij = 0;
  for (int j = 2; j <= ng; ++j) {
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
      if (dij <= dopt) {
        dopt = dij;
        iopt = i;
        jopt = j;
      }
    }
  }
  table.rescan_all(ng);
  if (ns == 1) {
    slots.emplace_back(iopt, jopt);
    return relabel(slots, ng);
  }

  int lg = ng;
  std::ptrdiff_t ld = PairTable::packed(ng);
  int ls = 1;
  for (;;) {
    const int ni = ic[static_cast<std::size_t>(iopt)];
    const int nj = ic[static_cast<std::size_t>(jopt)];
    ic[static_cast<std::size_t>(iopt)] = ni + nj;
    ic[static_cast<std::size_t>(jopt)] = -iopt;
    if (jopt != lg) {
      table.wardsw(jopt, lg);
      std::swap(ic[static_cast<std::size_t>(jopt)], ic[static_cast<std::size_t>(lg)]);
    }
    const double si = ni;
    const double sj = nj;
    const double sij = ni + nj;
    const double dold = dopt;
    const int iold = iopt;
    const int jold = jopt;
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
    table.argmin(lg, iopt, jopt, dopt);
    if (lg == 2) break;
    ls = ls + 1;
    if (ls == ns) break;
    if (interrupted && ls % 256 == 0 && interrupted()) return relabel(slots, ng);
  }
  slots.emplace_back(iopt, jopt);
  return relabel(slots, ng);
}

}  // namespace

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
  for (int i = 0; i < n; ++i) daxpy(p, fac, x.data() + i, n, u.data(), 1);
  double ss = 0.0;
  for (int j = 0; j < p; ++j) {
    double* col = x.data() + static_cast<std::size_t>(j) * n;
    daxpy(n, -fac, u.data() + j, 0, col, 1);
    ss = ss + ddot(n, col, 1, col, 1);
  }
  return std::max(ss, kEpsmax);
}

std::vector<Merge> hc_merges(DataMap x, HcModel model, double alpha, double beta,
                             const std::function<bool()>& interrupted) {
  if (model == HcModel::EII) return hc_eii(x, interrupted);
  HcVVV hc(x, alpha, beta);
  return hc.run(interrupted);
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
