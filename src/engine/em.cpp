// emgmm engine: the M-step driver and the EM loop.
#include "em.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace emgmm {

const char* status_name(Status s) {
  switch (s) {
    case Status::ok: return "ok";
    case Status::max_iter: return "max_iter";
    case Status::empty_component: return "empty";
    case Status::singular: return "singular";
    case Status::collapsed: return "collapsed";
    case Status::not_finite: return "not_finite";
    case Status::interrupted: return "interrupted";
  }
  return "unknown";
}

namespace {

// Inner iterations of the M-step that starts a run whose first scatter
// already fails the model's need (the run stops right after it).
constexpr long kCollapsedInnerIterations = 10;

// The first half of an M-step: proportions and means, and each component's
// scatter W_k about its new mean, without the ridge.
struct Scatters {
  std::vector<Matrix> w;  // k of d x d (only the diagonal for ScatterKind::diagonal)
  int empty = -1;         // first empty component
  int unmet = -1;         // first component whose W_k does not meet the model's need
};

Scatters scatter_step(const ModelInfo& model, const SuffStats& st, const Vector& scale,
                      Params& out) {
  const Eigen::Index k = st.weight.size();
  const Eigen::Index d = st.sum.rows();
  Scatters sc;
  for (Eigen::Index j = 0; j < k; ++j) {
    if (is_empty_weight(st.weight(j))) {
      sc.empty = static_cast<int>(j);
      return sc;
    }
  }
  out.proportions = st.weight / st.weight.sum();
  out.means.resize(d, k);
  sc.w.resize(static_cast<std::size_t>(k));
  for (Eigen::Index j = 0; j < k; ++j) {
    const double nj = st.weight(j);
    const Vector delta = st.sum.col(j) / nj;  // new mean minus the shift
    out.means.col(j) = st.shift.col(j) + delta;
    Matrix& w = sc.w[static_cast<std::size_t>(j)];
    if (st.kind == ScatterKind::full) {
      w = st.scatter[static_cast<std::size_t>(j)];
      w.noalias() -= nj * delta * delta.transpose();
    } else {
      w = Matrix::Zero(d, d);
      w.diagonal() = st.scatter[static_cast<std::size_t>(j)].diagonal() -
                     nj * delta.cwiseAbs2();
    }
    if (sc.unmet < 0 && model.needs != ScatterNeed::none && k > 1 &&
        !scatter_meets(w, nj, out.means.col(j), model.needs, scale)) {
      sc.unmet = static_cast<int>(j);
    }
  }
  return sc;
}

// The second half: the covariances of `model` from the scatters, with the
// ridge R (d x d, or empty) added to each unconstrained estimate W_k / n_k,
// that is n_k R added to W_k.  For VVV this adds R to every covariance;
// constrained models keep their constraints.
void covariance_step(const ModelInfo& model, const SuffStats& st, Scatters& sc, const Matrix& reg,
                     Params& out, MStepState* state) {
  const Eigen::Index k = st.weight.size();
  if (reg.rows() == st.sum.rows()) {
    for (Eigen::Index j = 0; j < k; ++j) sc.w[static_cast<std::size_t>(j)] += st.weight(j) * reg;
  }
  out.covariances.resize(static_cast<std::size_t>(k));
  MStepState local;
  const ModelInfo& form = k == 1 ? one_component_form(model) : model;
  form.mstep(MStepInput{st.weight, sc.w, st.weight.sum(), state ? *state : local},
             out.covariances);
  // products such as D A D' are symmetric only to rounding
  for (Matrix& c : out.covariances) {
    for (Eigen::Index a = 0; a < c.rows(); ++a) {
      for (Eigen::Index b = a + 1; b < c.cols(); ++b) c(a, b) = c(b, a) = 0.5 * (c(a, b) + c(b, a));
    }
  }
}

}  // namespace

Status mstep(const ModelInfo& model, const SuffStats& st, const Matrix& reg, const Vector& scale,
             Params& out, int& bad, MStepState* state) {
  Scatters sc = scatter_step(model, st, scale, out);
  if (sc.empty >= 0) {
    bad = sc.empty;
    return Status::empty_component;
  }
  if (sc.unmet >= 0) {
    bad = sc.unmet;
    return Status::singular;
  }
  covariance_step(model, st, sc, reg, out, state);
  return Status::ok;
}

int collapsed_component(const ModelInfo& model, const SuffStats& used, const Matrix& reg,
                        const Vector& scale, MStepState state) {
  Params p;
  int bad = -1;
  if (mstep(model, used, Matrix(), scale, p, bad, &state) != Status::ok) return bad;
  for (int j = 0; j < p.k(); ++j) {
    const Matrix& c = p.covariances[static_cast<std::size_t>(j)];
    if (!usable_covariance(c, p.means.col(j), nullptr) || !above_ridge(c, reg)) return j;
  }
  return -1;
}

EmRun::EmRun(const RowSet& rows, const ModelInfo& model, const SuffStats& start,
             const EmControl& control, const Hooks& hooks)
    : rows_(rows),
      model_(model),
      control_(control),
      hooks_(hooks),
      st_(start),
      previous_(std::numeric_limits<double>::max() / 2.0) {
  state_.tol = control.inner_tol;
  state_.max_iter = control.inner_max_iter;
  // without a ridge the M-steps are mclust's, so that fits reproduce it
  state_.mclust_steps = !control.ridge();
  state_.interrupted = hooks.interrupted;
  res_.status = Status::max_iter;
}

const EmResult& EmRun::finish(Status s, bool converged) {
  res_.status = s;
  res_.converged = converged;
  res_.collapsed = -1;
  if (control_.ridge() && !res_.trace.empty() && (s == Status::ok || s == Status::max_iter)) {
    take_best();
    res_.collapsed = collapsed_component(model_, accepted_, control_.reg, control_.scale, state_);
  }
  return res_;
}

void EmRun::take_best() {
  if (best_loglik_ > res_.loglik) {
    res_.params = best_params_;
    res_.loglik = best_loglik_;
    res_.sum_log_max = best_sum_log_max_;
  }
}

const EmResult& EmRun::run(int limit) {
  if (!resumable()) return res_;
  const bool ridge = control_.ridge();
  for (int it = res_.iterations + 1; it <= limit; ++it) {
    if (ridge) used_ = st_;
    Params p;
    Scatters sc = scatter_step(model_, st_, control_.scale, p);
    int bad = sc.empty >= 0 ? sc.empty : sc.unmet;
    Status s = sc.empty >= 0 ? Status::empty_component : Status::ok;
    // A scatter that fails the model's need: without a ridge the run ends
    // there (as in mclust); with one, the component is held up by the ridge
    // alone, and the run stops (collapsed) on the last iterate, since the
    // inner iterations of the M-step would crawl on that scatter.  At the
    // start there is no iterate yet: this one is taken, its inner iterations
    // cut short.
    MStepState* inner = &state_;
    MStepState short_inner;
    if (s == Status::ok && sc.unmet >= 0) {
      if (!ridge) {
        s = Status::singular;
      } else if (!res_.trace.empty()) {
        take_best();
        res_.status = Status::collapsed;
        res_.converged = false;
        res_.component = res_.collapsed = sc.unmet;
        return res_;
      } else {
        short_inner = state_;
        short_inner.max_iter = std::min(state_.max_iter, kCollapsedInnerIterations);
        inner = &short_inner;
      }
    }
    if (s == Status::ok) {
      covariance_step(model_, st_, sc, control_.reg, p, inner);
      if (inner->stopped) return finish(Status::interrupted, false);
      s = prepare_components(p, comp_, bad);
    }
    if (s != Status::ok) {
      res_.component = bad;
      res_.status = s;
      res_.converged = false;
      return res_;
    }
    if (!pass(p, it)) return finish(Status::interrupted, false);
    const double ll = st_.loglik;
    if (!std::isfinite(ll)) {
      res_.status = Status::not_finite;
      res_.converged = false;
      return res_;
    }
    const double err = std::fabs(previous_ - ll) / (1.0 + std::fabs(ll));
    if (ridge && !res_.trace.empty() && ll < previous_ && err <= control_.tol) {
      // Converged, but the last ridge step lowered the plain log-likelihood
      // (by at most tol): keep the previous, better iterate.
      return finish(Status::ok, true);
    }
    res_.trace.push_back(ll);
    res_.iterations = it;
    res_.loglik = ll;
    res_.sum_log_max = st_.sum_log_max;
    res_.params = std::move(p);
    if (ridge && ll > best_loglik_) {
      best_params_ = res_.params;
      best_loglik_ = ll;
      best_sum_log_max_ = st_.sum_log_max;
      accepted_ = used_;
    }
    previous_ = ll;
    if (hooks_.progress) hooks_.progress(it, ll);
    if (sc.unmet >= 0) {
      res_.status = Status::collapsed;
      res_.converged = false;
      res_.component = res_.collapsed = sc.unmet;
      return res_;
    }
    if (err <= control_.tol) return finish(Status::ok, true);
    if (hooks_.interrupted && hooks_.interrupted()) return finish(Status::interrupted, false);
  }
  return finish(Status::max_iter, false);
}

bool EmRun::pass(const Params& p, int iteration) {
  if (!rows_.is_remote()) {
    if (rows_.missing() != nullptr) {
      // a marginal covariance that is not usable leaves a NaN log-likelihood
      estep_stats_missing(*rows_.missing(), p, model_.scatter, control_.threads, st_);
    } else {
      estep_stats(rows_.local(), comp_, model_.scatter, control_.threads, st_, work_,
                  rows_.weights());
    }
    return true;
  }
  return rows_.remote()(p, iteration, st_);
}

void EmRun::move_to(const RowSet& rows) {
  rows_ = rows;
  int bad = -1;
  // the parameters were usable on the sample, so they are usable here
  prepare_components(res_.params, comp_, bad);
  if (!pass(res_.params, 0)) {
    res_.status = Status::interrupted;
    res_.converged = false;
    return;
  }
  previous_ = st_.loglik;
  best_loglik_ = -std::numeric_limits<double>::infinity();
  res_.loglik = st_.loglik;
  res_.sum_log_max = st_.sum_log_max;
  res_.trace.clear();
  res_.iterations = 0;
  res_.status = Status::max_iter;
  res_.converged = false;
  res_.collapsed = -1;
}

EmResult run_em(const RowSet& rows, const ModelInfo& model, const SuffStats& start,
                const EmControl& control, const Hooks& hooks) {
  EmRun r(rows, model, start, control, hooks);
  return r.run(control.max_iter);
}

}  // namespace emgmm
