// Standalone tests of the emgmm engine: built and run without R
// (`make -C src/engine/tests`), with strict warnings, so the engine stays
// R-free and its invariants are checked directly.
#include <cmath>
#include <limits>
#include <cstdio>
#include <random>
#include <string>

#include "../candidate.h"
#include "../em.h"
#include "../fast_exp.h"
#include "../hc.h"
#include "../init.h"

using namespace emgmm;

namespace {

int failures = 0;
int passes = 0;

void check(bool ok, const std::string& what) {
  if (ok) {
    ++passes;
  } else {
    ++failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

bool close(double a, double b, double rel) {
  return std::fabs(a - b) <= rel * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
}

// n rows from three separated 2-D Gaussians.
Matrix three_clusters(int n, unsigned seed, IntVector& truth) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> z;
  const double mu[3][2] = {{0, 0}, {8, 0}, {0, 8}};
  Matrix x(n, 2);
  truth.resize(n);
  for (int i = 0; i < n; ++i) {
    const int c = i % 3;
    truth(i) = c;
    x(i, 0) = mu[c][0] + z(gen);
    x(i, 1) = mu[c][1] + 0.5 * z(gen);
  }
  return x;
}

void test_single_component() {
  IntVector truth;
  const Matrix x = three_clusters(300, 1, truth);
  const DataMap data(x.data(), x.rows(), x.cols());
  const IntVector labels = IntVector::Zero(x.rows());
  SuffStats st;
  stats_from_labels(data, labels, 1, ScatterKind::full, 1, st);
  EmControl control;
  const EmResult r = run_em(data, *find_model("VVV"), st, control, Hooks());
  const Vector mean = x.colwise().mean().transpose();
  const Matrix centred = x.rowwise() - mean.transpose();
  const Matrix cov = centred.transpose() * centred / static_cast<double>(x.rows());
  check(r.converged, "one component converges");
  check((r.params.means.col(0) - mean).norm() < 1e-12, "one component: sample mean");
  check((r.params.covariances[0] - cov).norm() < 1e-10, "one component: ML covariance");
  const double ll = -0.5 * x.rows() * (2 * std::log(2 * M_PI) + std::log(cov.determinant()) + 2);
  check(close(r.loglik, ll, 1e-12), "one component: closed-form log-likelihood");
}

// The VVV parameters of the partition `truth` of the rows of `data`.
bool vvv_from_labels(DataMap data, const IntVector& truth, Params& p) {
  SuffStats st;
  stats_from_labels(data, truth, 3, ScatterKind::full, 1, st);
  int bad = -1;
  return mstep(*find_model("VVV"), st, Matrix(), Vector(), p, bad) == Status::ok;
}

void test_posterior_and_additivity() {
  IntVector truth;
  const Matrix x = three_clusters(999, 2, truth);
  const DataMap data(x.data(), x.rows(), x.cols());
  Params p;
  int bad = -1;
  check(vvv_from_labels(data, truth, p), "M-step from labels");
  Components c;
  check(prepare_components(p, c, bad) == Status::ok, "components factorise");
  Matrix post;
  Vector logdens;
  estep_posterior(data, c, 1, &post, &logdens);
  check((post.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12, "posteriors sum to 1");
  SuffStats whole;
  estep_stats(data, c, ScatterKind::full, 1, whole);
  check(close(whole.loglik, logdens.sum(), 1e-12), "E-step log-likelihood = sum of log densities");
  // Statistics of two chunks add up to those of the whole.
  const Matrix a = x.topRows(500), b = x.bottomRows(499);
  SuffStats sa, sb;
  estep_stats(DataMap(a.data(), a.rows(), a.cols()), c, ScatterKind::full, 1, sa);
  estep_stats(DataMap(b.data(), b.rows(), b.cols()), c, ScatterKind::full, 1, sb);
  sa.add(sb);
  check(close(sa.loglik, whole.loglik, 1e-12), "chunked log-likelihood adds up");
  check((sa.weight - whole.weight).norm() < 1e-9, "chunked weights add up");
  check((sa.scatter[1] - whole.scatter[1]).norm() < 1e-8 * whole.scatter[1].norm(),
        "chunked scatter adds up");
  // Threads: same answer (up to summation order).
  SuffStats two;
  estep_stats(data, c, ScatterKind::full, 2, two);
  check(close(two.loglik, whole.loglik, 1e-13), "two threads give the same log-likelihood");
}

void test_far_points() {
  Params p;
  p.proportions = Vector::Constant(2, 0.5);
  p.means = Matrix::Zero(2, 2);
  p.means(0, 1) = 1.0;
  p.covariances.assign(2, Matrix::Identity(2, 2));
  p.covariances[1] *= 4.0;  // the wider component is the nearer one far away
  Components c;
  int bad = -1;
  prepare_components(p, c, bad);
  Matrix x(2, 2);
  x << 1e200, 1e200, 1e300, 1e300;
  Matrix post;
  Vector logdens;
  estep_posterior(DataMap(x.data(), 2, 2), c, 1, &post, &logdens);
  check(post.allFinite(), "far points: finite posteriors");
  check(post(0, 1) == 1.0 && post(1, 1) == 1.0, "far points: the wider component wins");
  check(std::isinf(logdens(0)) && logdens(0) < 0, "far points: log density -inf");
}

void test_kmeans_and_em() {
  IntVector truth;
  const Matrix x = three_clusters(3000, 3, truth);
  const DataMap data(x.data(), x.rows(), x.cols());
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> u01;
  const UniformSource uniform = [&]() { return u01(gen); };
  const std::vector<IntVector> starts = start_partitions(data, 3, 5, true, uniform, 2);
  check(!starts.empty(), "k-means gives a start");
  // The partition matches the truth up to relabelling.
  IntVector t = truth;
  canonical_labels(t);
  check(starts[0] == t, "k-means recovers separated clusters");
  for (const char* name : {"EII", "VII", "VVI", "EEE", "VVV"}) {
    SuffStats st;
    const ModelInfo& m = *find_model(name);
    stats_from_labels(data, starts[0], 3, m.scatter, 2, st);
    EmControl control;
    control.threads = 2;
    const EmResult r = run_em(data, m, st, control, Hooks());
    bool monotone = true;
    for (std::size_t i = 1; i < r.trace.size(); ++i) {
      if (r.trace[i] < r.trace[i - 1] - 1e-9 * std::fabs(r.trace[i])) monotone = false;
    }
    check(r.status == Status::ok && r.converged, std::string(name) + " converges");
    check(monotone, std::string(name) + " log-likelihood never decreases");
    check(close(r.params.proportions.sum(), 1.0, 1e-14), std::string(name) + " proportions");
  }
}

void test_units_free() {
  // Variables on very different scales: a single component is not singular.
  std::mt19937 gen(5);
  std::normal_distribution<double> z;
  Matrix x(200, 2);
  for (int i = 0; i < 200; ++i) {
    x(i, 0) = 1e6 * z(gen);
    x(i, 1) = 1e9 + 1e-3 * z(gen);
  }
  const DataMap data(x.data(), 200, 2);
  const IntVector labels = IntVector::Zero(200);
  SuffStats st;
  stats_from_labels(data, labels, 1, ScatterKind::full, 1, st);
  const EmResult r = run_em(data, *find_model("VVV"), st, EmControl(), Hooks());
  check(r.status == Status::ok, "mixed scales and a large offset: one component fits");
}

void test_singular_reported() {
  // Two identical points per cluster: VVV with reg = 0 must report, not NaN.
  Matrix x(6, 2);
  x << 0, 0, 0, 0, 0, 0, 5, 5, 6, 5, 5, 7;
  const DataMap data(x.data(), 6, 2);
  IntVector labels(6);
  labels << 0, 0, 0, 1, 1, 1;
  SuffStats st;
  stats_from_labels(data, labels, 2, ScatterKind::full, 1, st);
  EmControl control;
  const EmResult r = run_em(data, *find_model("VVV"), st, control, Hooks());
  check(r.status == Status::singular && r.component == 0, "singular component is reported");
  control.reg = 1e-3 * Matrix::Identity(2, 2);
  const EmResult g = run_em(data, *find_model("VVV"), st, control, Hooks());
  check(g.status == Status::ok && std::isfinite(g.loglik), "a ridge keeps it finite");
}


// Three 4-D clusters of different shapes: work for the iterative M-steps.
Matrix shaped_clusters(int n, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> z;
  Matrix x(n, 4);
  for (int i = 0; i < n; ++i) {
    const int c = i % 3;
    const double a = z(gen), b = z(gen), e = z(gen), f = z(gen);
    x(i, 0) = 4.0 * c + a;
    x(i, 1) = (c == 1 ? 3.0 : 1.0) * b + 0.5 * a;
    x(i, 2) = -2.0 * c + (c == 2 ? 0.3 : 1.0) * e;
    x(i, 3) = 0.8 * f + 0.2 * c * a;
  }
  return x;
}

bool same_fit(const EmResult& a, const EmResult& b) {
  bool ok = a.status == b.status && a.iterations == b.iterations && a.loglik == b.loglik &&
            a.trace == b.trace && a.params.proportions == b.params.proportions &&
            a.params.means == b.params.means;
  for (std::size_t j = 0; ok && j < a.params.covariances.size(); ++j) {
    ok = a.params.covariances[j] == b.params.covariances[j];
  }
  return ok;
}

void test_exact_continuation() {
  // A run stopped after 20 iterations and continued is the run that never
  // stopped, bit for bit, for the models whose M-step keeps a state.
  const Matrix x = shaped_clusters(600, 11);
  const DataMap data(x.data(), x.rows(), x.cols());
  // a poor start (labels at random), so that EM needs more than 20 iterations
  std::mt19937 gen(3);
  IntVector labels(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) labels(i) = static_cast<int>(gen() % 3);
  for (const char* name : {"VEI", "VEE", "EVE", "VVE", "VEV", "VVV"}) {
    for (const bool ridge : {false, true}) {
      const ModelInfo& m = *find_model(name);
      SuffStats st;
      stats_from_labels(data, labels, 3, m.scatter, 1, st);
      EmControl control;
      control.scale = Vector::Ones(4);
      if (ridge) control.reg = 1e-10 * Matrix::Identity(4, 4);
      const EmResult straight = run_em(data, m, st, control, Hooks());
      EmRun run(RowSet(data), m, st, control, Hooks());
      const EmResult& screened = run.run(10);
      const bool paused = screened.status == Status::max_iter && screened.iterations == 10;
      const EmResult& continued = run.run(control.max_iter);
      check(paused && straight.iterations > 10 && same_fit(straight, continued),
            std::string(name) + (ridge ? " (ridge)" : "") + ": screened and continued = one run");
      // through a candidate fit: two copies of the start, screened (10
      // iterations) then the best continued
      CandidateControl cc;
      cc.em = control;
      cc.screen_iter = 10;
      const CandidateResult cand =
          fit_candidate(data, m, 3, {labels, labels}, {0, 0}, {}, cc, CandidateHooks());
      check(cand.start == 0 && same_fit(straight, cand.fit),
            std::string(name) + (ridge ? " (ridge)" : "") + ": candidate = one run");
    }
  }
}

void test_candidate_groups() {
  // Two kinds of starts: the best of each is continued, the better stands;
  // a start that fails leaves the others to stand.
  IntVector truth;
  const Matrix x = three_clusters(900, 12, truth);
  const DataMap data(x.data(), x.rows(), x.cols());
  IntVector poor(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) poor(i) = static_cast<int>((i / 7) % 3);
  CandidateControl cc;
  cc.em.scale = Vector::Ones(2);
  const ModelInfo& m = *find_model("VVV");
  const CandidateResult r =
      fit_candidate(data, m, 3, {poor, truth, poor}, {0, 1, 1}, {}, cc, CandidateHooks());
  std::vector<EmResult> alone;
  for (const IntVector* l : {&poor, &truth}) {
    SuffStats st;
    stats_from_labels(data, *l, 3, m.scatter, 1, st);
    alone.push_back(run_em(data, m, st, cc.em, Hooks()));
  }
  const EmResult& winner = r.start == 1 ? alone[1] : alone[0];
  check(r.status == Status::ok && (r.start == 0 || r.start == 1) && same_fit(winner, r.fit) &&
            r.fit.loglik >= alone[0].loglik && r.fit.loglik >= alone[1].loglik,
        "candidate: the better of the groups' best starts stands, exactly as run alone");
  // a start of two identical points per component fails (reg = 0); the other stands
  Matrix y(9, 2);
  y << 0, 0, 0, 0, 0, 0, 5, 5, 6, 5, 5, 7, 9, 1, 8, 2, 9.5, 3;
  const DataMap dy(y.data(), 9, 2);
  IntVector bad(9), good(9);
  bad << 0, 0, 0, 1, 1, 1, 2, 2, 2;
  good << 0, 1, 0, 1, 1, 2, 2, 2, 0;
  const CandidateResult f =
      fit_candidate(dy, m, 3, {bad, good}, {0, 1}, {}, cc, CandidateHooks());
  check(f.failed_starts >= 1, "candidate: the singular start is counted as failed");
  const CandidateResult g = fit_candidate(dy, m, 3, {bad}, {0}, {}, cc, CandidateHooks());
  check(g.start == -1 && g.status == Status::singular && g.component == 0,
        "candidate: with one singular start, its status and component");
  check(std::string(status_name(g.status)) == "singular", "status names: singular");
}

void test_remote_rows() {
  // Rows held elsewhere: a RemotePass that makes the E-step on two shards
  // and adds their statistics gives the in-memory candidate fit (to
  // rounding), with runs screened on a sample first or run on all rows; a
  // pass that fails stops the fit as interrupted.
  IntVector truth;
  const Matrix x = three_clusters(900, 21, truth);
  const DataMap data(x.data(), x.rows(), x.cols());
  const Matrix a = x.topRows(400), b = x.bottomRows(500);
  const DataMap da(a.data(), a.rows(), 2), db(b.data(), b.rows(), 2);
  const ModelInfo& m = *find_model("VEV");
  int calls = 0;
  const RemotePass pass = [&](const Params& p, int, SuffStats& out) {
    ++calls;
    Components c;
    int bad = -1;
    if (prepare_components(p, c, bad) != Status::ok) return false;
    SuffStats sb;
    estep_stats(da, c, m.scatter, 1, out);
    estep_stats(db, c, m.scatter, 1, sb);
    out.add(sb);
    return true;
  };
  CandidateControl cc;
  cc.em.scale = Vector::Ones(2);
  IntVector poor(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) poor(i) = static_cast<int>((i / 5) % 3);
  std::vector<SuffStats> starts(2);
  stats_from_labels(data, poor, 3, m.scatter, 1, starts[0]);
  stats_from_labels(data, truth, 3, m.scatter, 1, starts[1]);
  const CandidateResult local =
      fit_candidate(RowSet(data), RowSet(data), false, m, 3, starts, {0, 1}, cc, CandidateHooks());
  const RowSet remote(&pass);
  const CandidateResult far =
      fit_candidate(remote, remote, false, m, 3, starts, {0, 1}, cc, CandidateHooks());
  check(calls > 0 && far.status == local.status && far.start == local.start &&
            close(far.fit.loglik, local.fit.loglik, 1e-12) &&
            far.fit.params.means.isApprox(local.fit.params.means, 1e-10),
        "remote rows: the candidate fit of rows held in two shards is the in-memory one");
  // screened on the first 300 rows (held here), carried over to the shards
  const Matrix s = x.topRows(300);
  const DataMap ds(s.data(), 300, 2);
  std::vector<SuffStats> sampled(1);
  stats_from_labels(ds, truth.head(300), 3, m.scatter, 1, sampled[0]);
  const CandidateResult mem =
      fit_candidate(RowSet(data), RowSet(ds), true, m, 3, sampled, {0}, cc, CandidateHooks());
  const CandidateResult car =
      fit_candidate(remote, RowSet(ds), true, m, 3, sampled, {0}, cc, CandidateHooks());
  check(car.status == mem.status && close(car.fit.loglik, mem.fit.loglik, 1e-12) &&
            car.fit.iterations == mem.fit.iterations,
        "remote rows: a start screened here and carried over to remote rows");
  const RemotePass broken = [](const Params&, int, SuffStats&) { return false; };
  const RowSet lost(&broken);
  const CandidateResult none =
      fit_candidate(lost, lost, false, m, 3, starts, {0, 1}, cc, CandidateHooks());
  check(none.status == Status::interrupted && none.start == -1,
        "remote rows: a pass that fails stops the fit as interrupted");
}

void test_collapse_stops_early() {
  // EVE with a component on a constant variable: with a ridge the start is
  // stopped at once as collapsed (not run until its inner iterations crawl);
  // without one it fails as singular, as in mclust.
  const Matrix base = shaped_clusters(300, 13);
  Matrix x = base;
  IntVector labels(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    labels(i) = static_cast<int>(i % 3);
    if (labels(i) == 2) x(i, 3) = 1.0;  // constant within component 3
  }
  const DataMap data(x.data(), x.rows(), x.cols());
  const ModelInfo& m = *find_model("EVE");
  SuffStats st;
  stats_from_labels(data, labels, 3, m.scatter, 1, st);
  EmControl control;
  control.scale = Vector::Ones(4);
  const EmResult plain = run_em(data, m, st, control, Hooks());
  check(plain.status == Status::singular && plain.component == 2,
        "EVE, reg = 0: the constant variable makes component 3 singular");
  control.reg = 1e-10 * Matrix::Identity(4, 4);
  const EmResult held = run_em(data, m, st, control, Hooks());
  check(held.status == Status::collapsed && held.collapsed == 2 && held.iterations == 1 &&
            held.params.proportions.allFinite(),
        "EVE with a ridge: stopped at once, collapsed, with a finite fit");
}

void test_parameter_check() {
  Params p;
  p.proportions = Vector::Constant(2, 0.5);
  p.means = Matrix::Zero(2, 2);
  p.covariances.assign(2, Matrix::Identity(2, 2));
  p.covariances[1](0, 1) = 0.3;
  p.covariances[1](1, 0) = 0.3 + 1e-16;
  int bad = -1;
  check(check_parameters(p, bad) == Status::ok, "parameters: asymmetry at rounding accepted");
  p.covariances[1](1, 0) = 0.31;
  check(check_parameters(p, bad) == Status::singular && bad == 1,
        "parameters: an asymmetric covariance is refused");
  p.covariances[1] = Matrix::Ones(2, 2);
  check(check_parameters(p, bad) == Status::singular && bad == 1,
        "parameters: a singular covariance is refused");
  p.covariances[1] = Matrix::Identity(2, 2);
  p.means(0, 1) = 1e9;
  p.covariances[1](0, 0) = 1e-15;
  check(check_parameters(p, bad) == Status::singular && bad == 1,
        "parameters: a variance at the rounding level of its mean is refused");
  p.means(0, 1) = 0.0;
  p.covariances[1] = Matrix::Identity(2, 2);
  p.proportions(0) = 0.7;
  check(check_parameters(p, bad) == Status::empty_component,
        "parameters: proportions that do not sum to 1 are refused");
  // what the E-step accepts, the check accepts, and the other way round
  p.proportions(0) = 0.5;
  Components c;
  check(check_parameters(p, bad) == Status::ok && prepare_components(p, c, bad) == Status::ok,
        "parameters: the check and the E-step agree");
}

}  // namespace

// Ward's criterion (EII) on five points in two well-separated pairs and a
// straggler: the pairs merge first, then the two pairs, then the straggler.
void test_hierarchical() {
  Matrix x(5, 2);
  x << 0, 0, 0, 1, 10, 0, 10, 1.5, 30, 0;
  const DataMap m(x.data(), 5, 2);
  const std::vector<Merge> w = hc_merges(m, HcModel::EII, 0.0, 1.0, nullptr);
  check(w.size() == 4, "hc: n - 1 merges");
  check(w[0] == Merge(1, 2) && w[1] == Merge(3, 4), "hc (EII): the two close pairs first");
  check(w[2] == Merge(1, 3) && w[3] == Merge(1, 5), "hc (EII): then the pairs, then the straggler");
  const Eigen::MatrixXi part = hc_partitions(w, 5, {2, 3, 5});
  Eigen::VectorXi g2(5), g3(5);
  g2 << 1, 1, 1, 1, 2;
  g3 << 1, 1, 2, 2, 3;
  check(part.col(0) == g2 && part.col(1) == g3, "hc: partitions into 2 and 3 groups");
  check(part.col(2)(4) == 5, "hc: 5 groups are the singletons");
  // VVV on the same points: every group has at most 2 <= d points, so the
  // criterion is the regularised trace and the close pairs still merge first
  const std::vector<Merge> v = hc_merges(m, HcModel::VVV, hc_default_alpha(m), 1.0, nullptr);
  check(v.size() == 4 && v[0] == Merge(1, 2), "hc (VVV): the closest pair first");
  check(hc_default_alpha(m) > 0.0, "hc: alpha is positive");
}

void test_fast_exp() {
  // every 2^-10 from -745 to 0, odd lengths (the scalar tail), -inf and 0
  const long n = 745L * 1024L + 3L;
  Vector v(n);
  for (long i = 0; i < n - 3; ++i) v(i) = -static_cast<double>(i) / 1024.0;
  v(n - 3) = -std::numeric_limits<double>::infinity();
  v(n - 2) = -1e-300;
  v(n - 1) = -708.5;
  const Vector x = v;
  Vector sum = Vector::Zero(n);
  exp_shifted_add(v, Vector::Zero(n), sum);
  double worst = 0.0;
  for (long i = 0; i < n - 3; ++i) {
    if (x(i) < -708.0) continue;
    worst = std::max(worst, std::fabs(v(i) - std::exp(x(i))) / std::exp(x(i)));
  }
  check(worst <= 4.0 * std::numeric_limits<double>::epsilon(), "fast exp within 4 eps of std::exp");
  check(v(0) == 1.0 && v(n - 2) == 1.0, "fast exp(0) = 1");
  check(v(n - 3) == 0.0 && v(n - 1) >= 0.0 && v(n - 1) < 1e-307, "fast exp(-inf) = 0, below -708 flushed");
  check(sum == v, "fast exp: the sum of one column is the column");
  Vector w = x.head(7);
  Vector tt = Vector::Constant(7, 1.0);
  exp_shifted_add(w, Vector::Constant(7, 2.0), tt);
  bool ok = true;
  for (int i = 0; i < 7; ++i) {
    ok = ok && close(w(i), std::exp(x(i) - 2.0), 4e-16) && close(tt(i), 1.0 + w(i), 1e-16);
  }
  check(ok, "fast exp: shifted and added");
}

// Row weights count as repeated rows; the missing-value E-step equals the
// plain one without missing values, and with them adds the conditional
// expectations (checked against a row-by-row computation).
void test_weights_and_missing() {
  IntVector truth;
  const Matrix x = three_clusters(300, 5, truth);
  const DataMap data(x.data(), x.rows(), x.cols());
  Params p;
  int bad = -1;
  vvv_from_labels(data, truth, p);
  Components c;
  prepare_components(p, c, bad);
  // weights 0, 1, 2, ... against the rows repeated
  Vector w(x.rows());
  std::vector<Eigen::Index> rep;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    w(i) = static_cast<double>(i % 3);
    for (Eigen::Index r = 0; r < i % 3; ++r) rep.push_back(i);
  }
  Matrix xr(static_cast<Eigen::Index>(rep.size()), 2);
  for (std::size_t r = 0; r < rep.size(); ++r) xr.row(static_cast<Eigen::Index>(r)) = x.row(rep[r]);
  SuffStats sw, sr;
  estep_stats(data, c, ScatterKind::full, 2, sw, w.data());
  estep_stats(DataMap(xr.data(), xr.rows(), xr.cols()), c, ScatterKind::full, 2, sr);
  check(close(sw.loglik, sr.loglik, 1e-12), "weighted log-likelihood = repeated rows'");
  check((sw.weight - sr.weight).norm() < 1e-10 * sr.weight.norm(), "weighted weights");
  check((sw.scatter[2] - sr.scatter[2]).norm() < 1e-10 * sr.scatter[2].norm(), "weighted scatter");
  check(close(sw.sum_log_max, sr.sum_log_max, 1e-10), "weighted ICL term");
  // no value missing: the plain E-step
  const MissingRows none = group_patterns(data, nullptr);
  SuffStats sm, sp;
  estep_stats_missing(none, p, ScatterKind::full, 2, sm);
  estep_stats(data, c, ScatterKind::full, 2, sp);
  check(close(sm.loglik, sp.loglik, 1e-12) &&
            (sm.scatter[0] - sp.scatter[0]).norm() < 1e-10 * sp.scatter[0].norm(),
        "missing-value E-step without missing values");
  // one missing value in every third row, against row-by-row expectations
  Matrix xm = x;
  for (Eigen::Index i = 0; i < xm.rows(); i += 3) xm(i, (i / 3) % 2) = std::nan("");
  const DataMap dm(xm.data(), xm.rows(), xm.cols());
  const MissingRows some = group_patterns(dm, nullptr);
  check(some.patterns.size() == 3, "rows grouped by pattern");
  estep_stats_missing(some, p, ScatterKind::full, 1, sm);
  const double log2pi = std::log(2.0 * 3.141592653589793);
  double ll = 0.0;
  Vector wsum = Vector::Zero(3);
  Matrix s00 = Matrix::Zero(2, 2);
  for (Eigen::Index i = 0; i < xm.rows(); ++i) {
    Vector lp(3);
    std::vector<Vector> xhat(3);
    std::vector<Matrix> cc(3);
    for (int j = 0; j < 3; ++j) {
      const Matrix& s = p.covariances[static_cast<std::size_t>(j)];
      const Vector mu = p.means.col(j);
      Vector& xh = xhat[static_cast<std::size_t>(j)];
      xh = xm.row(i).transpose();
      cc[static_cast<std::size_t>(j)] = Matrix::Zero(2, 2);
      int o = -1;
      if (std::isnan(xm(i, 0))) o = 1;
      if (std::isnan(xm(i, 1))) o = 0;
      if (o < 0) {
        const Vector r = xh - mu;
        lp(j) = std::log(p.proportions(j)) -
                0.5 * (2.0 * log2pi + std::log(s.determinant()) + r.dot(s.inverse() * r));
      } else {
        const int m = 1 - o;
        const double r = xm(i, o) - mu(o);
        lp(j) = std::log(p.proportions(j)) - 0.5 * (log2pi + std::log(s(o, o)) + r * r / s(o, o));
        xh(m) = mu(m) + s(m, o) / s(o, o) * r;
        cc[static_cast<std::size_t>(j)](m, m) = s(m, m) - s(m, o) * s(o, m) / s(o, o);
      }
    }
    const double top = lp.maxCoeff();
    const double lse = top + std::log((lp.array() - top).exp().sum());
    ll += lse;
    for (int j = 0; j < 3; ++j) wsum(j) += std::exp(lp(j) - lse);
    const Vector r0 = xhat[0] - p.means.col(0);
    s00 += std::exp(lp(0) - lse) * (r0 * r0.transpose() + cc[0]);
  }
  check(close(sm.loglik, ll, 1e-12), "missing values: observed-data log-likelihood");
  check((sm.weight - wsum).norm() < 1e-10 * wsum.norm(), "missing values: weights");
  check((sm.scatter[0] - s00).norm() < 1e-10 * s00.norm(), "missing values: expected scatter");
}

int main() {
  test_fast_exp();
  test_single_component();
  test_posterior_and_additivity();
  test_far_points();
  test_kmeans_and_em();
  test_singular_reported();
  test_units_free();
  test_hierarchical();
  test_exact_continuation();
  test_candidate_groups();
  test_remote_rows();
  test_collapse_stops_early();
  test_parameter_check();
  test_weights_and_missing();
  std::printf("engine tests: %d checks passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}
