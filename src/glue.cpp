// emgmm: the only file that knows both R and the engine.  It converts R
// objects (zero-copy Eigen::Map for the data), supplies the hooks (R's random
// number generator, interrupt checks, verbose progress) and converts results
// back.  Arguments were validated in R; nothing is re-checked here.
#include <RcppEigen.h>

#include <chrono>
#include <limits>
#include <sstream>
#include <string>
#include <thread>

#ifndef _WIN32
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "engine/candidate.h"
#include "engine/hc.h"
#include "engine/init.h"
#include "engine/parallel.h"

using emgmm::DataMap;
using emgmm::Matrix;
using emgmm::Vector;

namespace {

DataMap as_data(const Eigen::Map<Eigen::MatrixXd>& x) {
  return DataMap(x.data(), x.rows(), x.cols());
}

// R's side of the engine's hooks.  R may answer a check for interrupts, or
// the printing of a message, by a long jump: the user's Ctrl-C, an error of
// setTimeLimit(), a handler that exits.  Such a jump must not cross the
// engine's C++ frames, so each call into R is made under R_UnwindProtect
// (Rcpp::unwindProtect); a jump is caught, the engine is told to stop (the
// interrupt check says true from then on) and returns normally, its threads
// joined and its memory freed, and resume() then continues the jump from
// the glue, so that R sees the interrupt or error it raised, unchanged.
class RSession {
 public:
  RSession() : thread_(std::this_thread::get_id()), last_(Clock::now()) {}
  RSession(const RSession&) = delete;
  RSession& operator=(const RSession&) = delete;

  // The interrupt check: asks R at most every 50 ms of wall time, and only
  // on the thread that entered the engine (R is single-threaded).
  bool interrupted() {
    if (std::this_thread::get_id() != thread_) return false;
    if (jumped_) return true;
    const Clock::time_point now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(50)) return false;
    last_ = now;
    call_r(check_interrupt, nullptr);
    return jumped_;
  }

  // message(text): the verbose output, on R's message stream.
  void message(const std::string& text) {
    if (std::this_thread::get_id() != thread_ || jumped_) return;
    call_r(send_message, const_cast<std::string*>(&text));
  }

  // fn(a, b), evaluated in R under the same protection; R_NilValue after a
  // long jump (then jumped() is true).  The result is unprotected.
  SEXP call(SEXP fn, SEXP a, SEXP b) {
    if (std::this_thread::get_id() != thread_ || jumped_) return R_NilValue;
    Call c{fn, a, b};
    const SEXP out = call_r(eval_call, &c);
    return jumped_ ? R_NilValue : out;
  }

  bool jumped() const { return jumped_; }

  emgmm::Interrupt interrupt_hook() {
    return [this]() { return interrupted(); };
  }

  // Continues R's long jump, if one was caught.  Call it once the engine has
  // returned.
  void resume() {
    if (jumped_) throw Rcpp::LongjumpException(token_);
  }

 private:
  using Clock = std::chrono::steady_clock;

  static SEXP check_interrupt(void*) {
    R_CheckUserInterrupt();
    return R_NilValue;
  }

  static SEXP send_message(void* text) {
    const std::string& t = *static_cast<const std::string*>(text);
    Rcpp::Shield<SEXP> arg(Rf_mkString(t.c_str()));
    Rcpp::Shield<SEXP> call(Rf_lang2(Rf_install("message"), arg));
    Rf_eval(call, R_BaseEnv);
    return R_NilValue;
  }

  struct Call {
    SEXP fn, a, b;
  };

  static SEXP eval_call(void* data) {
    const Call& c = *static_cast<const Call*>(data);
    Rcpp::Shield<SEXP> call(Rf_lang3(c.fn, c.a, c.b));
    return Rf_eval(call, R_GlobalEnv);
  }

  SEXP call_r(SEXP (*fn)(void*), void* data) {
    try {
      return Rcpp::unwindProtect(fn, data);
    } catch (const Rcpp::LongjumpException& e) {
      token_ = e.token;  // preserved by unwindProtect until resumed
      jumped_ = true;
    }
    return R_NilValue;
  }

  std::thread::id thread_;
  Clock::time_point last_;
  bool jumped_ = false;
  SEXP token_ = R_NilValue;
};

// R array (d x d x k) from the engine's covariance matrices.
Rcpp::NumericVector covariance_array(const std::vector<Matrix>& cov, int d) {
  const int k = static_cast<int>(cov.size());
  Rcpp::NumericVector out(static_cast<R_xlen_t>(d) * d * k);
  for (int j = 0; j < k; ++j) {
    std::copy(cov[static_cast<std::size_t>(j)].data(),
              cov[static_cast<std::size_t>(j)].data() + static_cast<std::ptrdiff_t>(d) * d,
              out.begin() + static_cast<std::ptrdiff_t>(j) * d * d);
  }
  out.attr("dim") = Rcpp::IntegerVector::create(d, d, k);
  return out;
}

emgmm::Params params_from_r(const Rcpp::NumericVector& proportions,
                            const Eigen::Map<Eigen::MatrixXd>& means,
                            const Rcpp::NumericVector& covariances) {
  const int k = static_cast<int>(means.rows());
  const int d = static_cast<int>(means.cols());
  emgmm::Params p;
  p.proportions = Rcpp::as<Vector>(proportions);
  p.means = means.transpose();
  p.covariances.resize(static_cast<std::size_t>(k));
  for (int j = 0; j < k; ++j) {
    p.covariances[static_cast<std::size_t>(j)] =
        Eigen::Map<const Matrix>(covariances.begin() + static_cast<std::ptrdiff_t>(j) * d * d, d, d);
  }
  return p;
}

const emgmm::ModelInfo& model_or_stop(const std::string& name) {
  const emgmm::ModelInfo* m = emgmm::find_model(name);
  if (!m) Rcpp::stop("internal error: unknown model '%s'", name);
  return *m;
}


// Settings of a candidate fit from R's list (validated in R).
emgmm::CandidateControl candidate_control(const Rcpp::List& c) {
  emgmm::CandidateControl control;
  control.em.max_iter = Rcpp::as<int>(c["max_iter"]);
  control.em.tol = Rcpp::as<double>(c["tol"]);
  control.em.inner_tol = Rcpp::as<double>(c["inner_tol"]);
  // Inf (mclust's default) or anything beyond a long: no limit
  const double inner = Rcpp::as<double>(c["inner_max_iter"]);
  control.em.inner_max_iter = inner < 9.0e18 ? static_cast<long>(inner)
                                             : std::numeric_limits<long>::max();
  control.em.reg = Rcpp::as<Matrix>(c["reg"]);
  control.em.scale = Rcpp::as<Vector>(c["scale"]);
  control.em.threads = Rcpp::as<int>(c["threads"]);
  control.screen_iter = Rcpp::as<int>(c["screen_iter"]);
  return control;
}

emgmm::CandidateHooks candidate_hooks(RSession& session, bool verbose) {
  emgmm::CandidateHooks hooks;
  hooks.em.interrupted = session.interrupt_hook();
  if (verbose) {
    hooks.em.progress = [&session](int it, double ll) {
      std::ostringstream line;
      line << "  iteration " << it << ": log-likelihood " << ll;
      session.message(line.str());
    };
    hooks.screened = [&session](int start, const emgmm::EmResult& r) {
      std::ostringstream line;
      line << "  start " << start + 1 << ": " << emgmm::status_name(r.status) << " after "
           << r.iterations << " iterations, log-likelihood " << r.loglik;
      session.message(line.str());
    };
  }
  return hooks;
}

// 0-based labels from R's 1-based ones (0, left out, becomes -1).
emgmm::IntVector labels_from_r(SEXP labels) {
  const Rcpp::IntegerVector lab(labels);
  emgmm::IntVector l(lab.size());
  for (R_xlen_t i = 0; i < lab.size(); ++i) l(i) = lab[i] - 1;
  return l;
}

// Parameters as they travel between the leader and the workers of a
// distributed fit: proportions (k), means (d x k, the engine's layout) and
// covariances (d x d x k).
Rcpp::List params_to_wire(const emgmm::Params& p) {
  return Rcpp::List::create(Rcpp::Named("proportions") = Rcpp::wrap(Vector(p.proportions)),
                            Rcpp::Named("means") = Rcpp::wrap(Matrix(p.means)),
                            Rcpp::Named("covariances") = covariance_array(p.covariances, p.d()));
}

emgmm::Params params_from_wire(const Rcpp::List& w) {
  emgmm::Params p;
  p.proportions = Rcpp::as<Vector>(w["proportions"]);
  p.means = Rcpp::as<Matrix>(w["means"]);
  const Rcpp::NumericVector cov(w["covariances"]);
  const int d = static_cast<int>(p.means.rows());
  p.covariances.resize(static_cast<std::size_t>(p.k()));
  for (int j = 0; j < p.k(); ++j) {
    p.covariances[static_cast<std::size_t>(j)] =
        Eigen::Map<const Matrix>(cov.begin() + static_cast<std::ptrdiff_t>(j) * d * d, d, d);
  }
  return p;
}

// Statistics as they travel back: weight (k), sum (d x k), scatter (d x d x
// k, or the d x k diagonals when only they are kept), loglik, sum_log_max.
// The shift (the means sent out) stays with the leader.
Rcpp::List stats_to_wire(const emgmm::SuffStats& st) {
  const int d = static_cast<int>(st.sum.rows());
  const int k = static_cast<int>(st.weight.size());
  SEXP scatter;
  if (st.kind == emgmm::ScatterKind::full) {
    scatter = covariance_array(st.scatter, d);
  } else {
    Matrix diag(d, k);
    for (int j = 0; j < k; ++j) diag.col(j) = st.scatter[static_cast<std::size_t>(j)].diagonal();
    scatter = Rcpp::wrap(diag);
  }
  Rcpp::Shield<SEXP> keep(scatter);
  return Rcpp::List::create(Rcpp::Named("weight") = Rcpp::wrap(Vector(st.weight)),
                            Rcpp::Named("sum") = Rcpp::wrap(Matrix(st.sum)),
                            Rcpp::Named("scatter") = scatter,
                            Rcpp::Named("loglik") = st.loglik,
                            Rcpp::Named("sum_log_max") = st.sum_log_max);
}

void stats_from_wire(SEXP wire, const Matrix& shift, emgmm::ScatterKind kind,
                     emgmm::SuffStats& out);

// The statistics of the shards (a list in shard order, stats_to_wire()'s
// form), added in that order as the engine adds statistics.
void add_shards(SEXP shards, const Matrix& shift, emgmm::ScatterKind kind,
                emgmm::SuffStats& out) {
  const Rcpp::List all(shards);
  emgmm::SuffStats one;
  for (R_xlen_t s = 0; s < all.size(); ++s) {
    stats_from_wire(all[s], shift, kind, s == 0 ? out : one);
    if (s > 0) out.add(one);
  }
}

void stats_from_wire(SEXP wire, const Matrix& shift, emgmm::ScatterKind kind,
                     emgmm::SuffStats& out) {
  const Rcpp::List w(wire);
  const Matrix sum = Rcpp::as<Matrix>(w["sum"]);
  const int d = static_cast<int>(sum.rows());
  const int k = static_cast<int>(sum.cols());
  out.reset(d, k, shift, kind);
  out.weight = Rcpp::as<Vector>(w["weight"]);
  out.sum = sum;
  const Rcpp::NumericVector sc(w["scatter"]);
  const bool full = Rf_length(Rf_getAttrib(sc, R_DimSymbol)) == 3;
  for (int j = 0; j < k; ++j) {
    Matrix& s = out.scatter[static_cast<std::size_t>(j)];
    if (full) {
      s = Eigen::Map<const Matrix>(sc.begin() + static_cast<std::ptrdiff_t>(j) * d * d, d, d);
    } else {
      s.diagonal() = Eigen::Map<const Vector>(sc.begin() + static_cast<std::ptrdiff_t>(j) * d, d);
    }
  }
  out.loglik = Rcpp::as<double>(w["loglik"]);
  out.sum_log_max = Rcpp::as<double>(w["sum_log_max"]);
}

Rcpp::List candidate_to_r(const emgmm::CandidateResult& res, int d);

// Row weights from R: NULL (none) or a double vector, one per row.
const double* row_weights(SEXP w) { return Rf_isNull(w) ? nullptr : REAL(w); }

bool any_missing(const DataMap& x) {
  const double* v = x.data();
  const Eigen::Index len = x.size();
  for (Eigen::Index i = 0; i < len; ++i) {
    if (std::isnan(v[i])) return true;
  }
  return false;
}

// The rows of data with missing values grouped by pattern
// (missing_layout_cpp()), or null for R's NULL.
const emgmm::MissingRows* layout_from_r(SEXP layout) {
  if (Rf_isNull(layout)) return nullptr;
  return Rcpp::XPtr<emgmm::MissingRows>(layout).get();
}

// The statistics of one start (see fit_candidate_cpp()).
void start_stats(SEXP start, const DataMap& xs, const double* ws, int k, emgmm::ScatterKind kind,
                 int threads, emgmm::SuffStats& out) {
  if (Rf_isNewList(start)) {
    const Rcpp::List spec(start);
    const Eigen::Map<Eigen::MatrixXd> sx = Rcpp::as<Eigen::Map<Eigen::MatrixXd>>(spec["x"]);
    const SEXP sw = spec["weights"];
    start_stats(spec["start"], as_data(sx), row_weights(sw), k, kind, threads, out);
  } else if (Rf_isMatrix(start)) {
    const Eigen::Map<Eigen::MatrixXd> w = Rcpp::as<Eigen::Map<Eigen::MatrixXd>>(start);
    emgmm::stats_from_weights(xs, as_data(w), k, kind, threads, out, ws);
  } else {
    emgmm::stats_from_labels(xs, labels_from_r(start), k, kind, threads, out, ws);
  }
}

}  // namespace

// Starting partitions: an n x m integer matrix of distinct labels in 1..k.
// [[Rcpp::export]]
Rcpp::IntegerMatrix start_partitions_cpp(const Eigen::Map<Eigen::MatrixXd> x, int k, int n_init,
                                         bool kmeans, int threads, SEXP weights = R_NilValue) {
  emgmm::UniformSource uniform = []() { return R::unif_rand(); };
  RSession session;
  std::vector<emgmm::IntVector> starts = emgmm::start_partitions(
      as_data(x), k, n_init, kmeans, uniform, threads, session.interrupt_hook(),
      row_weights(weights));
  session.resume();
  const R_xlen_t n = x.rows();
  Rcpp::IntegerMatrix out(static_cast<int>(n), static_cast<int>(starts.size()));
  for (std::size_t s = 0; s < starts.size(); ++s) {
    for (R_xlen_t i = 0; i < n; ++i) out(i, static_cast<int>(s)) = starts[s](i) + 1;
  }
  return out;
}

// The rows of x (NaN: missing) grouped by their pattern of missing values,
// with their weights (NULL: none; rows of weight zero are left out): made
// once per data set, for every fit and E-step on them.
// [[Rcpp::export(rng = false)]]
SEXP missing_layout_cpp(const Eigen::Map<Eigen::MatrixXd> x, SEXP weights = R_NilValue) {
  return Rcpp::XPtr<emgmm::MissingRows>(
      new emgmm::MissingRows(emgmm::group_patterns(as_data(x), row_weights(weights))), true);
}

// One whole candidate fit for one (k, model) on the rows of x, with row
// weights `weights` (NULL: none); with missing values, `layout` is
// missing_layout_cpp() of x and the same weights, and the screening rows
// are NULL (R never screens such data on a sample).  `starts` is a list with one element per start, with `groups` (one
// per start); each is a vector of labels (1-based; 0 leaves a row out) or an
// n x k matrix of weights over the screening rows `rows` (1-based; NULL: all
// rows), or a list(x, weights, start) whose start (labels or weights) is
// over the rows of its own x (the start's statistics are computed there).
// Returns the fit that stands, with the status by name.
// [[Rcpp::export(rng = false)]]
Rcpp::List fit_candidate_cpp(const Eigen::Map<Eigen::MatrixXd> x, std::string model, int k,
                             Rcpp::List starts, Rcpp::IntegerVector groups, SEXP rows,
                             Rcpp::List control, bool verbose, SEXP weights = R_NilValue,
                             SEXP layout = R_NilValue) {
  const emgmm::ModelInfo& m = model_or_stop(model);
  const DataMap data = as_data(x);
  const emgmm::CandidateControl ctl = candidate_control(control);
  const double* w = row_weights(weights);
  const bool sampled = !Rf_isNull(rows);
  // the screening rows, gathered with their weights
  Matrix sample;
  Vector sample_w;
  if (sampled) {
    const Rcpp::IntegerVector r(rows);
    sample.resize(r.size(), x.cols());
    if (w != nullptr) sample_w.resize(r.size());
    for (R_xlen_t i = 0; i < r.size(); ++i) {
      sample.row(i) = data.row(r[i] - 1);
      if (w != nullptr) sample_w(i) = w[r[i] - 1];
    }
  }
  const DataMap xs = sampled ? DataMap(sample.data(), sample.rows(), sample.cols()) : data;
  const double* ws = sampled ? (w != nullptr ? sample_w.data() : nullptr) : w;
  const emgmm::RowSet all(data, w, layout_from_r(layout));
  const emgmm::RowSet first = sampled ? emgmm::RowSet(xs, ws) : all;
  std::vector<emgmm::SuffStats> stats(static_cast<std::size_t>(starts.size()));
  for (R_xlen_t s = 0; s < starts.size(); ++s) {
    start_stats(starts[s], xs, ws, k, m.scatter, ctl.em.threads, stats[static_cast<std::size_t>(s)]);
  }
  RSession session;
  const emgmm::CandidateHooks hooks = candidate_hooks(session, verbose);
  const emgmm::CandidateResult res = emgmm::fit_candidate(
      all, first, sampled, m, k, stats, Rcpp::as<std::vector<int>>(groups), ctl, hooks);
  session.resume();
  return candidate_to_r(res, static_cast<int>(x.cols()));
}

// The same over data held by the workers of a cluster: passes over all the
// rows are made by `pass`, an R function(params, iteration) that returns
// the statistics of every shard (stats_to_wire()'s form, a list in shard
// order), added here.  `xs` are rows fetched from the workers: the
// screening rows when `sampled`, else rows on which the starts' statistics
// are computed (`starts`: label vectors over them, 1-based, 0 leaves a row
// out).  A start on all the rows (the user's, or the one-component start)
// comes as `start_pass` instead, an R function(means, pass) making the two
// passes of stats_from_labels() on the workers (means NULL, then the
// start's means), whose shards' statistics are added here.
// [[Rcpp::export(rng = false)]]
Rcpp::List fit_candidate_remote_cpp(const Eigen::Map<Eigen::MatrixXd> xs, std::string model, int k,
                                    Rcpp::List starts, Rcpp::IntegerVector groups, bool sampled,
                                    SEXP start_pass, Rcpp::List control, bool verbose,
                                    Rcpp::Function pass, SEXP weights = R_NilValue) {
  const emgmm::ModelInfo& m = model_or_stop(model);
  const DataMap data = as_data(xs);
  const double* ws = row_weights(weights);
  const emgmm::CandidateControl ctl = candidate_control(control);
  const int d = static_cast<int>(xs.cols());
  RSession session;
  std::vector<emgmm::SuffStats> stats;
  std::vector<int> group_ids;
  if (!Rf_isNull(start_pass)) {
    emgmm::SuffStats first;
    const Rcpp::IntegerVector pass1 = Rcpp::IntegerVector::create(1);
    const Rcpp::IntegerVector pass2 = Rcpp::IntegerVector::create(2);
    Rcpp::Shield<SEXP> one(session.call(start_pass, R_NilValue, pass1));
    session.resume();
    add_shards(one, Matrix::Zero(d, k), emgmm::ScatterKind::diagonal, first);
    const Matrix means = emgmm::start_means(first);
    Rcpp::Shield<SEXP> shift(Rcpp::wrap(means));
    Rcpp::Shield<SEXP> two(session.call(start_pass, shift, pass2));
    session.resume();
    stats.resize(1);
    add_shards(two, means, m.scatter, stats[0]);
    group_ids.push_back(0);
  } else {
    stats.resize(static_cast<std::size_t>(starts.size()));
    for (R_xlen_t s = 0; s < starts.size(); ++s) {
      start_stats(starts[s], data, ws, k, m.scatter, ctl.em.threads,
                  stats[static_cast<std::size_t>(s)]);
    }
    group_ids = Rcpp::as<std::vector<int>>(groups);
  }
  const emgmm::CandidateHooks hooks = candidate_hooks(session, verbose);
  const emgmm::RemotePass remote = [&](const emgmm::Params& p, int iteration,
                                       emgmm::SuffStats& out) {
    Rcpp::List wire = params_to_wire(p);
    Rcpp::IntegerVector it = Rcpp::IntegerVector::create(iteration);
    const SEXP res = session.call(pass, wire, it);
    if (session.jumped()) return false;
    Rcpp::Shield<SEXP> keep(res);
    add_shards(res, p.means, m.scatter, out);
    return true;
  };
  const emgmm::RowSet all(&remote);
  const emgmm::RowSet first = sampled ? emgmm::RowSet(data, ws) : all;
  const emgmm::CandidateResult res =
      emgmm::fit_candidate(all, first, sampled, m, k, stats, group_ids, ctl, hooks);
  session.resume();
  return candidate_to_r(res, d);
}

// E-step statistics of the rows of one shard (on a worker) at parameters
// in params_to_wire()'s form, in stats_to_wire()'s form.
// [[Rcpp::export(rng = false)]]
Rcpp::List shard_estep_cpp(const Eigen::Map<Eigen::MatrixXd> x, Rcpp::List params,
                           std::string model, int threads, SEXP weights = R_NilValue,
                           SEXP layout = R_NilValue) {
  const emgmm::Params p = params_from_wire(params);
  const emgmm::ScatterKind kind = model_or_stop(model).scatter;
  emgmm::SuffStats st;
  if (x.rows() == 0) {
    st.reset(p.d(), p.k(), p.means, kind);
    return stats_to_wire(st);
  }
  emgmm::Components comp;
  int bad = -1;
  if (emgmm::prepare_components(p, comp, bad) != emgmm::Status::ok) {
    Rcpp::stop("the parameters sent to the worker are not usable (component %d)", bad + 1);
  }
  // with missing values, `layout` is missing_layout_cpp() of x and the weights
  const emgmm::MissingRows* m = layout_from_r(layout);
  if (m != nullptr) {
    emgmm::estep_stats_missing(*m, p, kind, threads, st);
  } else {
    emgmm::estep_stats(as_data(x), comp, kind, threads, st, row_weights(weights));
  }
  return stats_to_wire(st);
}

// One of the two passes of a start's statistics over one shard (on a
// worker): `start` is its labels (1-based, 0 leaves a row out) or its n x k
// matrix of weights; `means` NULL for the first pass, else the start's
// means (d x k) for the second.
// [[Rcpp::export(rng = false)]]
Rcpp::List shard_start_cpp(const Eigen::Map<Eigen::MatrixXd> x, SEXP start, int k, SEXP means,
                           std::string model, int threads, SEXP weights = R_NilValue) {
  const double* rw = row_weights(weights);
  const emgmm::ScatterKind kind = model_or_stop(model).scatter;
  const int d = static_cast<int>(x.cols());
  Matrix shift = Matrix::Zero(d, k);
  if (!Rf_isNull(means)) shift = Rcpp::as<Matrix>(means);
  const Matrix* second = Rf_isNull(means) ? nullptr : &shift;
  emgmm::SuffStats st;
  if (x.rows() == 0) {
    st.reset(d, k, shift, second ? kind : emgmm::ScatterKind::diagonal);
  } else if (Rf_isMatrix(start)) {
    const Eigen::Map<Eigen::MatrixXd> w = Rcpp::as<Eigen::Map<Eigen::MatrixXd>>(start);
    emgmm::weights_pass(as_data(x), as_data(w), k, second, kind, threads, st, rw);
  } else {
    emgmm::labels_pass(as_data(x), labels_from_r(start), k, second, kind, threads, st, rw);
  }
  return stats_to_wire(st);
}

namespace {

Rcpp::List candidate_to_r(const emgmm::CandidateResult& res, int d) {
  const emgmm::EmResult& f = res.fit;
  Rcpp::List out = Rcpp::List::create(
      Rcpp::Named("status") = emgmm::status_name(res.status),
      Rcpp::Named("component") = res.component + 1,
      Rcpp::Named("start") = res.start + 1,
      Rcpp::Named("failed_starts") = res.failed_starts);
  if (res.start >= 0) {
    out["collapsed"] = f.collapsed + 1;
    out["iterations"] = f.iterations;
    out["converged"] = f.converged;
    out["loglik"] = f.loglik;
    out["sum_log_max"] = f.sum_log_max;
    out["loglik_trace"] = Rcpp::wrap(f.trace);
    out["proportions"] = Rcpp::wrap(Vector(f.params.proportions));
    out["means"] = Rcpp::wrap(Matrix(f.params.means.transpose()));
    out["covariances"] = covariance_array(f.params.covariances, d);
  }
  return out;
}

}  // namespace

// Whether a fit's parameters are usable as the E-step will use them (the
// engine's one definition): the status by name and the component at fault.
// [[Rcpp::export(rng = false)]]
Rcpp::List check_parameters_cpp(Rcpp::NumericVector proportions,
                                const Eigen::Map<Eigen::MatrixXd> means,
                                Rcpp::NumericVector covariances) {
  const emgmm::Params p = params_from_r(proportions, means, covariances);
  int bad = -1;
  const emgmm::Status s = emgmm::check_parameters(p, bad);
  return Rcpp::List::create(Rcpp::Named("status") = emgmm::status_name(s),
                            Rcpp::Named("component") = bad + 1);
}

// The engine's table of covariance models.
// [[Rcpp::export(rng = false)]]
Rcpp::DataFrame models_cpp() {
  const std::vector<emgmm::ModelInfo>& all = emgmm::all_models();
  Rcpp::CharacterVector name, description;
  Rcpp::LogicalVector univariate;
  for (const emgmm::ModelInfo& m : all) {
    name.push_back(m.name);
    univariate.push_back(m.univariate);
    description.push_back(m.description);
  }
  return Rcpp::DataFrame::create(Rcpp::Named("name") = name,
                                 Rcpp::Named("univariate") = univariate,
                                 Rcpp::Named("description") = description,
                                 Rcpp::Named("stringsAsFactors") = false);
}

// Log mixture density of each row and, when asked, the n x k posterior.
// Rows with missing values (NaN) get the posteriors and the log density of
// their observed coordinates; with `impute`, also the data with each missing
// value replaced by its conditional mean (`completed`).
// [[Rcpp::export(rng = false)]]
Rcpp::List predict_cpp(const Eigen::Map<Eigen::MatrixXd> x, Rcpp::NumericVector proportions,
                       const Eigen::Map<Eigen::MatrixXd> means, Rcpp::NumericVector covariances,
                       bool posterior, int threads, bool impute = false) {
  const emgmm::Params p = params_from_r(proportions, means, covariances);
  emgmm::Components comp;
  int bad = -1;
  const emgmm::Status s = emgmm::prepare_components(p, comp, bad);
  if (s != emgmm::Status::ok) {
    return Rcpp::List::create(Rcpp::Named("status") = emgmm::status_name(s),
                              Rcpp::Named("component") = bad + 1);
  }
  Matrix post, completed;
  Vector logdens;
  const DataMap data = as_data(x);
  if (any_missing(data)) {
    const emgmm::MissingRows m = emgmm::group_patterns(data, nullptr);
    if (!emgmm::estep_posterior_missing(m, p, threads, posterior ? &post : nullptr, &logdens,
                                        impute ? &completed : nullptr)) {
      return Rcpp::List::create(Rcpp::Named("status") = "singular",
                                Rcpp::Named("component") = 0);
    }
  } else {
    emgmm::estep_posterior(data, comp, threads, posterior ? &post : nullptr, &logdens);
    if (impute) completed = data;
  }
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("status") = emgmm::status_name(s),
                                      Rcpp::Named("logdensity") = Rcpp::wrap(logdens));
  if (posterior) out["posterior"] = Rcpp::wrap(post);
  if (impute) out["completed"] = Rcpp::wrap(completed);
  return out;
}

// Merges of model-based hierarchical clustering of the rows of z (already
// transformed as mclust's hcUse says): a 2 x (n - 1) matrix as mclust's hc()
// returns.  `model` is "VVV" or "EII"; alpha < 0 means mclust's default.
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerMatrix hc_merges_cpp(const Eigen::Map<Eigen::MatrixXd> z, std::string model,
                                  double alpha, double beta) {
  const DataMap data = as_data(z);
  const emgmm::HcModel m = model == "EII" ? emgmm::HcModel::EII : emgmm::HcModel::VVV;
  if (alpha < 0) alpha = emgmm::hc_default_alpha(data);
  RSession session;
  const std::vector<emgmm::Merge> merges =
      emgmm::hc_merges(data, m, alpha, beta, session.interrupt_hook());
  session.resume();
  Rcpp::IntegerMatrix out(2, static_cast<int>(merges.size()));
  for (std::size_t s = 0; s < merges.size(); ++s) {
    out(0, static_cast<int>(s)) = merges[s].first;
    out(1, static_cast<int>(s)) = merges[s].second;
  }
  return out;
}

// Partitions from hierarchical merges: n x length(groups) labels (1-based, in
// order of first appearance), one column per number of groups.
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerMatrix hc_partitions_cpp(Rcpp::IntegerMatrix merges, int n,
                                      Rcpp::IntegerVector groups) {
  std::vector<emgmm::Merge> m(static_cast<std::size_t>(merges.ncol()));
  for (int s = 0; s < merges.ncol(); ++s) m[static_cast<std::size_t>(s)] = {merges(0, s), merges(1, s)};
  const std::vector<int> g(groups.begin(), groups.end());
  const Eigen::MatrixXi lab = emgmm::hc_partitions(m, n, g);
  Rcpp::IntegerMatrix out(n, static_cast<int>(g.size()));
  std::copy(lab.data(), lab.data() + lab.size(), out.begin());
  return out;
}

// Number of free parameters of a model.
// [[Rcpp::export(rng = false)]]
double model_df_cpp(std::string model, int d, int k) {
  return static_cast<double>(emgmm::model_df(model_or_stop(model), d, k));
}

// Number of processors of the machine.
// [[Rcpp::export(rng = false)]]
int max_threads_cpp() { return emgmm::hardware_threads(); }

// Called by R when the library is unloaded: the engine's helper threads are
// stopped and joined before their code goes away.
extern "C" void R_unload_emgmm(DllInfo*) { emgmm::stop_threads(); }


// TCP_NODELAY on the sockets of a cluster's connections.  parallel's
// messages are written in 4 kB pieces; without it the last piece of a
// larger message waits for the receiver's delayed acknowledgement (40 ms
// on Linux) every round.  On a worker (`worker` true) every TCP socket of
// the process gets it, and their local ends ("host:port") are returned; on
// the leader, the sockets whose remote end is one of `peers` (the workers'
// ends), and the ends set are returned.  Nothing on Windows.
// [[Rcpp::export(rng = false)]]
Rcpp::CharacterVector tcp_no_delay_cpp(Rcpp::CharacterVector peers, bool worker) {
  Rcpp::CharacterVector out;
#ifndef _WIN32
  std::vector<std::string> want(peers.begin(), peers.end());
  long top = sysconf(_SC_OPEN_MAX);
  if (top < 0 || top > 65536) top = 65536;
  for (int fd = 0; fd < static_cast<int>(top); ++fd) {
    int type = 0;
    socklen_t len = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
    sockaddr_storage addr;
    socklen_t alen = sizeof(addr);
    const int got = worker ? getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen)
                           : getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &alen);
    if (got != 0 || (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)) continue;
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), alen, host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
      continue;
    }
    const std::string end = std::string(host) + ":" + port;
    if (!worker && std::find(want.begin(), want.end(), end) == want.end()) continue;
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0) out.push_back(end);
  }
#else
  (void)peers;
  (void)worker;
#endif
  return out;
}
