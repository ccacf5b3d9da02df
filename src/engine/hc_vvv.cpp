// emgmm engine, hierarchical clustering: the VVV merger, mclust's hcvvv
// for the partition into singletons (see hc.h and hc_mergers.h).
//
// The VVV criterion (Banfield and Raftery 1993, regularised as in Fraley 1998
// and mclust): a group g of n_g points with scatter W_g costs
//   T(g) = n_g log(beta (tr W_g + alpha) / n_g)                  if n_g <= p,
//   T(g) = n_g log(|W_g / n_g| + beta (tr W_g + alpha) / n_g)     otherwise,
// and merging i and j costs T(i u j) - T(i) - T(j).  Each group is kept as
// sqrt(n_g) times its mean and an upper-triangular factor of W_g, updated by
// Givens rotations.  The code mirrors mclust's hcvvv (Fortran) statement by
// statement -- 1-based indices, the same storage of a group's factor rows in
// the rows of freed observations, the same order of every floating-point
// operation -- because merges are decided by comparisons that rounding can
// flip.  mclust stores every row of a merged group's factor as the factor's
// first row; that is reproduced too, since its merges depend on it.
#include "hc_mergers.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

#include "hc_blas.h"
#include "hc_pairs.h"

namespace emgmm {
namespace hc_detail {
namespace {

// The pair to merge next and what merging it gives, in mclust's hcvvv terms
// (its variable in brackets).  Kept for the cheapest pair seen so far while
// the costs are computed, and completed for the cheapest pair of the table.
struct MergeCandidate {
  int i = 0, j = 0;           // the two groups' slots, i < j (iopt, jopt)
  int size = 0;               // the merged group's size, n_i + n_j (nopt)
  int size_i = 0, size_j = 0; // each side's size (niop, njop)
  double cost = kFlmax;       // the change in classification likelihood,
                              // T(i u j) - T(i) - T(j) (dopt)
  double trace = 0.0;         // tr W of the merged group (trop)
  double term = 0.0;          // its criterion term T(i u j) (tmop)
  double scale_i = 0.0;       // sqrt(n_i / (n_i + n_j)) (siop) and
  double scale_j = 0.0;       // sqrt(n_j / (n_i + n_j)) (sjop): the weights
                              // that combine the rows sqrt(n_i) mean_i and
                              // sqrt(n_j) mean_j into sqrt(n_i + n_j) mean_ij
};

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

  std::vector<Merge> run(const Interrupt& interrupted);

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

std::vector<Merge> HcVVV::run(const Interrupt& interrupted) {
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

  MergeCandidate best;
  int lg = ng;

  // every observation starts as its own group
  for (int k = 1; k <= ng; ++k) ic(k) = 1;

  // change in likelihood of every pair of singletons; the cheapest
  std::ptrdiff_t ij = 0;
  for (int j = 2; j <= ng; ++j) {
    if (interrupted && interrupted()) return slots;  // no merge yet
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
      if (dij <= best.cost) {
        best.cost = dij;
        best.trace = trcij;
        best.term = trmij;
        best.size = 2;
        best.size_i = 1;
        best.size_j = 1;
        best.scale_i = kRtHalf;
        best.scale_j = kRtHalf;
        best.i = i;
        best.j = j;
        copy_rows(U(), R(), 1);
      }
    }
  }
  table_.rescan_all(ng);

  if (ns == 1) {
    slots.emplace_back(best.i, best.j);
    return relabel(slots, ng);
  }

  int ls = 1;
  for (;;) {
    // merge best.i and best.j (i < j) into slot i; slot lg moves to j
    dcopy(p, x.at(best.i, 1), n, v(), 1);
    dscal(p, best.scale_i, v(), 1);
    daxpy(p, best.scale_j, x.at(best.j, 1), n, v(), 1);

    const int jold = best.j;
    if (best.j != lg) {
      table_.wardsw(best.j, lg);
      dcopy(p, x.at(lg, 1), n, x.at(best.j, 1), n);
      const int m = ic(best.j);
      const int icj = ic(lg);
      if (icj != 1) x(best.j, pp1) = x(lg, pp1);
      ic(best.j) = icj;
      ic(lg) = m;
    }

    int m = 0;
    if (best.size_i == 1) {
      ic(best.i) = lg;
    } else {
      int l = ic(best.i);
      for (int k = 1; k <= std::min(best.size_i - 1, p); ++k) {
        m = l;
        l = ic(l);
      }
      ic(m) = lg;
    }

    {
      int l = ic(best.i);
      for (int k = 1; k <= std::min(best.size - 1, p); ++k) {
        dcopy(p, r_.data(), p, x.at(l, 1), n);  // the first row of r, as mclust does
        m = l;
        l = ic(l);
      }
      ic(m) = best.size + n;
    }

    x(best.i, pp1) = 0.0;
    if (best.size >= 2) {
      x(best.i, pp1) = best.trace;
      x(ic(best.i), pp1) = best.term;
    }
    dcopy(p, v(), 1, x.at(best.i, 1), n);

    slots.emplace_back(best.i, best.j);

    lg = lg - 1;

    const int iold = best.i;
    best.cost = kFlmax;
    const int ni = best.size;
    const double ri = static_cast<double>(ni);
    const double termi = best.term;
    const double traci = best.trace;

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
      if (dij <= best.cost) {
        best.cost = dij;
        best.trace = trcij;
        best.term = trmij;
        best.size = nij;
        if (below) {
          best.size_i = nj;
          best.size_j = ni;
          best.scale_i = sj;
          best.scale_j = si;
          best.i = j;
          best.j = iold;
        } else {
          best.size_i = ni;
          best.size_j = nj;
          best.scale_i = si;
          best.scale_j = sj;
          best.i = iold;
          best.j = j;
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

    // the cheapest pair overall; the rest of `best` still describes the
    // cheapest pair of the new group, as pair_cost left it
    table_.argmin(lg, best.i, best.j, best.cost);
    if (lg == 2) break;

    zero(r_);
    if (best.i != iold && best.j != iold) {
      // not a pair of the new group: its factor, trace and term are recomputed
      const int i = best.i;
      const int j = best.j;
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
      best.trace = trcij;
      best.term = best.cost + (termi2 + termj);
      best.size = nij;
      best.size_i = ni2;
      best.size_j = nj;
      best.scale_i = si;
      best.scale_j = sj;
    } else {
      // a pair of the new group, the one pair_cost kept (same scan order, same
      // ties): its factor is in S, its trace and term in best
      copy_rows(S(), R(), std::min(best.size - 1, p));
      best.size_i = group_size(best.i);
      best.size_j = group_size(best.j);
      best.size = best.size_i + best.size_j;
    }

    ls = ls + 1;
    if (ls == ns) break;
    if (interrupted && interrupted()) return relabel(slots, ng);
  }
  slots.emplace_back(best.i, best.j);
  return relabel(slots, ng);
}

}  // namespace

std::vector<Merge> hc_vvv(DataMap data, double alpha, double beta,
                          const Interrupt& interrupted) {
  HcVVV hc(data, alpha, beta);
  return hc.run(interrupted);
}

}  // namespace hc_detail
}  // namespace emgmm
