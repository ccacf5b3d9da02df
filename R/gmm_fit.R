#' Fit a Gaussian mixture model by the EM algorithm
#'
#' Fits finite mixtures of Gaussian distributions by maximum likelihood with
#' the expectation-maximisation (EM) algorithm.  When several numbers of
#' components or covariance models are given, every pair is fitted and the
#' best one by `criterion` is returned, with the whole comparison in
#' `$selection`.
#'
#' @section Covariance models:
#' Model names are mclust's (Celeux and Govaert 1995 parametrisation
#' \eqn{\Sigma_k = \lambda_k D_k A_k D_k^\top}{Sigma_k = lambda_k D_k A_k D_k'}):
#' univariate `"E"` (equal variance) and `"V"` (unequal variance); multivariate
#' `"EII"`, `"VII"` (spherical), `"EEI"`, `"VEI"`, `"EVI"`, `"VVI"` (diagonal),
#' `"EEE"`, `"VEE"`, `"EVE"`, `"VVE"` (shared orientation), `"EEV"`, `"VEV"`,
#' `"EVV"` and `"VVV"` (varying orientation).  `"VEI"`, `"VEE"` and `"VEV"`
#' have no closed-form M-step and iterate inside it (Celeux and Govaert 1995),
#' as do `"EVE"` and `"VVE"`, each started as mclust starts it, with the
#' tolerance given as the second element of `tol` and at most as many inner
#' iterations per M-step as the second element of `max_iter` allows (1e5 by
#' default when `reg = 0`, where mclust sets no limit; 1000 with a ridge).
#' Without a ridge (`reg = 0`) every M-step is mclust's, so that fits
#' reproduce mclust's; for `"EVE"` and `"VVE"` that is the
#' majorisation-minimisation algorithm of Browne and McNicholas (2014),
#' whose progress scales with the spread of each scatter matrix's
#' eigenvalues, so that on variables of very different sizes it crawls
#' (`state.x77`: its limit of inner iterations in every M-step).  With a
#' ridge (the default) their shared orientation is found instead by plane
#' rotations (Jacobi sweeps, as in Flury and Gautschi's algorithm for common
#' principal components): each rotation minimises a majorisation of the
#' M-step's objective in closed form, sweeps go on to the inner tolerance,
#' and they converge in a few sweeps whatever the units.  For `"EVE"` both
#' reach the same fits where mclust's converge; for `"VVE"`, whose M-step
#' has several local optima, the two can lead EM to different optima (on 18
#' public data sets the rotations found the higher one in 91 of 130 pairs
#' and the lower in 20).  Because inner iterations stop at a tolerance,
#' these M-steps are not exact: as in mclust, the log-likelihood along
#' `loglik_trace` can fall a little for them.
#' The aliases of
#' scikit-learn are accepted: `"spherical"` (VII), `"diag"` (VVI), `"tied"`
#' (EEE) and `"full"` (VVV).  `"all"` means every model for the data's
#' dimension.  For univariate data every multivariate name means its
#' univariate form by its volume letter, so `"VVV"` and `"full"` mean `"V"`
#' and `"EEE"` means `"E"`.  Names, aliases and `"all"` are matched ignoring
#' case (`"vvv"`, `"Full"`, `"ALL"`).
#'
#' @section Starting points:
#' * `"auto"` (the default): for every (k, model) pair, both the
#'   hierarchical start of `"hc"` and the `n_init` k-means++ starts of
#'   `"kmeans"`; which is better depends on the data, so all are screened
#'   and the best of each kind is fitted (see below), and the better of those
#'   two fits stands.  The selection table says which start won (`start`).
#'   With the same seed, the k-means++ starts are those of `init = "kmeans"`
#'   (when no rows are drawn for the hierarchical start or the screening,
#'   that is up to `hc_subset` rows), so the default fit's log-likelihood is
#'   at least that of both, up to the rounding of EM's stopping rule.
#' * `"kmeans"`: k-means++ seeding (greedy, with \eqn{2 + \log k} candidates
#'   per centre) followed by Lloyd iterations, both in C++.  Even-numbered
#'   starts run k-means on standardised variables (a start that does not
#'   depend on the units), odd-numbered ones on the variables as they are.
#' * `"random"`: `k` distinct observations drawn at random as centres, each
#'   observation assigned to its nearest centre.
#' * `"hc"`: the start of mclust's `Mclust()` alone, deterministic up to
#'   `hc_subset` rows (a random subset beyond).  For multivariate data,
#'   model-based agglomerative hierarchical clustering (Banfield and Raftery
#'   1993; Fraley 1998) of the variables transformed as mclust's default
#'   `mclust.options(hcUse = "SVD")` does (standardised, rotated to their
#'   principal axes and divided by the square root of their singular
#'   values), with the unconstrained `"VVV"` criterion (or `"EII"`, Ward's,
#'   when `n <= d`), exactly as [mclust::hc()] merges; the partition into `k`
#'   groups starts every model with `k` components.  For univariate data, as
#'   in mclust, the start is `k` classes cut at quantiles.  The clustering
#'   takes time and memory in proportion to the square of the number of rows
#'   it sees, so when `n` is larger than `hc_subset` (default 2000, as in
#'   mclust; under a second: `bench/hc.R`) it runs on that many rows drawn at
#'   random (with R's generator, as mclust draws them); EM then starts with
#'   an M-step on those rows and continues on all of them.  Unless `tol` and
#'   `reg` are given, `init = "hc"` also takes mclust's defaults for them
#'   (`tol = c(1e-5, sqrt(.Machine$double.eps))` as in [mclust::emControl()],
#'   and `reg = 0`), so that `gmm_fit(x, k = 1:9, model = "all", init = "hc")`
#'   reproduces [mclust::mclustBIC()] (with the sign of the criterion
#'   flipped; above 2000 rows with the same seed, as both draw the same
#'   subset), and pairs that mclust cannot fit are `NA` here too, with the
#'   reason.  They can part where components hold fewer points than
#'   dimensions: the orientation of such an EEV component is arbitrary and
#'   each package picks its own; whether mclust's VEE accepts a singular
#'   scatter matrix depends on rounding, emgmm's never does; and mclust's
#'   singularity thresholds are in the data's units, emgmm's are not.
#' * labels: an integer vector of `n` labels in `1..k`.
#' * posterior: an `n x k` matrix of membership probabilities (rows sum to 1).
#'
#' EM starts with an M-step from the starting partition.  When a pair has
#' several starts (`"auto"`, or `n_init > 1` with `"kmeans"` and
#' `"random"`; identical partitions are fitted once), each runs at most 20 EM
#' iterations; then the best start of each kind (hierarchical, k-means++)
#' is continued to convergence from where it stopped, with the state of the
#' iterative M-steps, so that it is exactly the fit that start gives when
#' run alone; bad starts mostly converge slowly, so they cost little.  A
#' start in which a component collapses (see "Degenerate fits") is passed
#' over for the next best one, and a degenerate fit is returned only when
#' every start collapsed.  Above 20000 rows the starts are screened on a
#' random sample of 20000 rows instead (for `"auto"` it holds the rows of
#' the hierarchical start; the k-means++ starts are computed on it), and
#' the best screened start is carried over to all the rows and continued
#' there; a single k-means++ or random start (`n_init = 1`) is computed and
#' screened on such a sample too (the k-means iterations over all the rows
#' would cost more than the EM they start).  The random draws use R's generator, so `set.seed()` makes every
#' fit reproducible.  On small data (one block of the E-step) the starts of
#' a pair run side by side on the threads; the result does not depend on
#' their number.  The default `n_init = 10` was chosen by measurement
#' (`bench/n_init.R` in the sources: 17 workloads, 30 seeds each, k-means
#' starts alone): with it every seed reached the best optimum found on 10 of
#' the 14 workloads whose best optimum is not degenerate, and at least 80%
#' of seeds did on 13 of them; 5 starts did clearly worse, and 20 doubled
#' the time for a small gain.  A user-supplied start with `reg = 0` and the
#' same `tol` reproduces [mclust::me()] from that start.
#'
#' @section Observation weights:
#' `weights` are frequency weights: a row of weight `w` counts as `w`
#' copies of itself, so that whole-number weights give the fit of the data
#' with each row repeated as its weight says (to rounding: at most `3e-11`,
#' relative, on four public data sets), for every model.  The criteria count `n` as the sum of the
#' weights: `bic = -2 loglik + df log(sum(weights))`, and `nobs()` and
#' `$n` are that sum.  Weights can be any non-negative numbers (survey
#' weights).  Weights that are not all whole numbers can have any scale:
#' the engine works with them divided by their mean positive weight (its
#' thresholds, such as when a component is empty, count weight as rows),
#' and the log-likelihood, the criteria and `n` are those of the weights
#' given, so scaling such weights by `c` leaves the parameters unchanged
#' and multiplies the log-likelihood and `n` by `c`.  Whole-number weights
#' are counts and are used as they are (their starts are those of the
#' repeated rows, so scaling them can change the start).  Rows of weight zero do not enter
#' the fit, but get posteriors and classifications like the others.  The
#' starts weigh rows too: k-means++ draws each centre with probability
#' proportional to weight times squared distance, and Lloyd's iterations
#' take weighted means, with one uniform number per draw as for the
#' repeated rows, so that those starts too equal the starts of the repeated
#' rows.  The hierarchical start, which has no weights, runs on the rows
#' repeated as their weights say when every weight is a whole number (the
#' rows drawn for `hc_subset` are drawn among those repeated rows), and on
#' the rows of positive weight, each once, otherwise; its partition then
#' starts EM with the weights.  With more than 20000 rows, the screening
#' sample is drawn among the rows as they are (each with its weight), so
#' there the equality with repeated rows is not exact.  `predict()` does
#' not use the weights.  With `reg = 0` and a start given as a posterior
#' matrix, fits reproduce [mclust::me.weighted()] (which rescales the
#' weights to a largest weight of 1 when some exceed 1, scaling its
#' log-likelihood).
#'
#' @section Missing values:
#' With `na_action = "em"`, rows with missing values (`NA` or `NaN`;
#' infinite values are still errors) are fitted as they are, assuming the
#' values are missing at random.  A row's log-density is that of its
#' observed coordinates (the marginal Gaussian of each component), and the
#' M-step takes the conditional expectations of the missing coordinates and
#' of their cross-products given the observed ones, so every covariance
#' model's M-step is its usual one on the expected scatter; the
#' log-likelihood reported and compared (`loglik`, the criteria) is the
#' observed-data one, and it does not decrease along EM (apart from the
#' ridge and the iterative M-steps, as without missing values).  Rows that
#' share a pattern of missing coordinates share one factorisation per
#' component and iteration.  A row with no value observed contributes
#' nothing to the fit (it is not counted in `n`) and gets the proportions
#' as its posterior.  The starts (k-means++, hierarchical, random) are
#' computed on the complete rows when there are at least `2 k (d + 1)` of
#' them (enough for each component's covariance), otherwise on all the rows
#' with each missing value replaced by its variable's mean; either way EM
#' then runs on all the rows.  The default ridge uses the covariance of the
#' complete rows (the variances alone when there are too few).  With
#' missing values the starts are screened on all the rows, also above 20000
#' rows.  `predict()` answers rows with missing values from their observed
#' coordinates, and `type = "impute"` fills them with their conditional
#' means.  Data on a cluster ([gmm_distribute()]) may hold missing values
#' too: the workers fit them, the starts are computed on a view of the
#' complete rows (or on the rows fetched, filled with the means), and the
#' fit is the in-memory one when no row has weight zero or nothing
#' observed (those rows are dropped in memory but stay on the workers, so
#' the random draws of the starts can differ); with `"omit"`, `predict()`
#' on the training data still answers every row.
#'
#' `na_action = "omit"` fits the complete rows only (as `na.omit()`), and
#' `"fail"`, the default, refuses missing values with an input error, as
#' before this choice existed.  The default is `"fail"` because the other
#' two rest on an assumption about why values are missing (missing at
#' random for `"em"`, completely at random for `"omit"` to be unbiased) that
#' only the user can make, and because code that relied on the error keeps
#' it; `"em"` is the better choice whenever that assumption holds, as it
#' uses every observed value (see the vignette's comparison with dropping
#' rows and with imputing means).
#'
#' @section Degenerate fits:
#' A component can collapse onto a few points or a repeated value, where the
#' likelihood is unbounded.  One definition of a usable component serves the
#' whole package (the E-step, the M-steps, the checks of `predict()` and
#' `plot()`): its covariance, on its own correlation scale, has Cholesky
#' pivots above `1e-7` (a condition number below about `1e14`), and no
#' variance at the rounding level of its mean; the models whose M-step
#' iterates need of each component's scatter what mclust needs (VEE: a
#' usable covariance; EVE and VVE: eigenvalues of at least `sqrt(eps)` in
#' units of the variables' variances).  With `reg = 0` a component that
#' fails makes its start fail, and if every start fails, the error (class
#' `emgmm_error_fit`) names the component and the reason.  With `reg > 0`
#' the ridge keeps the fit finite, and a fit is degenerate when a component
#' is held up by the ridge: without it, its covariance would not be usable,
#' or would be smaller than the ridge in some direction (the ridge, not the
#' data, decides its shape there).  The messages name the cause where it is
#' plain: a component on fewer points than it needs (`d + 1`), or variables
#' of the data that are constant or collinear.  Such a start is stopped as soon as that is seen for EVE, VEE and
#' VVE (whose inner iterations would otherwise crawl), and at the end of its
#' run for the other models.  Other starts and other (k, model) pairs are
#' preferred to a degenerate fit; if one is returned, a warning of class
#' `emgmm_warning_degenerate` names the component.

#' @section Convergence and regularisation:
#' EM stops when the relative change of the log-likelihood,
#' \eqn{|l_t - l_{t-1}| / (1 + |l_t|)}, falls to `tol` or below (mclust's
#' rule), or after `max_iter` iterations (with a warning of class
#' `emgmm_warning_convergence`).  As with mclust, this relative change depends
#' on the units of `x` through the size of the log-likelihood (rescaling
#' every variable by `s` subtracts `n d log(s)` from it); use a smaller `tol` for a
#' tighter fit.  `reg` is added to the diagonal of every
#' covariance estimate, like scikit-learn's `reg_covar`, which keeps components
#' from collapsing onto single points; `reg = 0` gives the plain
#' maximum-likelihood M-step.  The default, `NULL`, adds `1e-10` times the
#' covariance matrix of the data (a constant variable: `1e-10` times the mean
#' variance of the others): enough to keep a collapsing component finite, and
#' shaped as the data, so that fits depend neither on the units nor on the
#' orientation of the variables, and a component that is thin where the
#' data are thin (highly correlated variables) is left as it is.  The rule
#' that ties the ridge to the collapse test is the one above: a component
#' counts as degenerate exactly when the ridge exceeds its own covariance in
#' some direction.  When the data themselves are collinear (a variable an
#' exact linear combination of others), the default ridge is singular too,
#' and only models with diagonal covariances can be fitted; the error says
#' which variables.  A number adds that number to every diagonal entry.  Precisely, the ridge is added to each
#' component's unconstrained covariance estimate before the model's
#' constraints are applied: for `"VVV"`, `"EEE"` and `"VVI"` that is the same
#' as adding it to the fitted covariances, and spherical models add the mean
#' ridge to their one variance, so every model keeps its shape.  With
#' `reg > 0` the M-step is not an exact likelihood step, and neither are the
#' M-steps that iterate to a tolerance, so the log-likelihood can fall
#' slightly along the way; with `reg > 0` the fit returned is the iterate of
#' highest log-likelihood that EM met (with `reg = 0`, as mclust's `me()`,
#' the last one).
#'
#' @param x A numeric vector (univariate data), a numeric matrix (also one
#'   of the Matrix package, converted with `as.matrix()`) or a data frame of
#'   numeric columns, one row per observation; or data placed on the
#'   workers of a `parallel` cluster by [gmm_distribute()] or
#'   [gmm_shards()], which gives the same fit, made where the data lie.  Dates, times, durations,
#'   factors and other classed columns are refused: convert them with
#'   `as.numeric()` if they are meant as measurements.  Column names carry
#'   through to the results; a column without a name (empty or `NA`) among
#'   named ones is named as [data.frame()] names it, `V` and its position
#'   (`V2`, or `V2.1` when `V2` is taken), and `newdata` in
#'   [predict.emgmm()] is matched by those names; when no column has a name,
#'   variables are matched by position (and labelled `x` or `x1`, `x2`,
#'   ...).  The values must be small enough for sums of squares over the
#'   rows to be finite in double precision: with column ranges
#'   \eqn{r_j}{r_j} (largest minus smallest value) and `n` rows,
#'   \eqn{n \sum_j r_j^2}{n * sum(r_j^2)} must be at most
#'   `.Machine$double.xmax` (about `1.8e308`; for a million rows of ten
#'   variables, ranges up to about `4e150`); larger values are an error
#'   (rescale them).
#' @param k Number(s) of components, whole numbers between 1 and the number of
#'   distinct observations.  The default `1:9` is capped at the number of
#'   distinct observations.
#' @param model Covariance model name(s); see "Covariance models".
#' @param init Starting point: `"auto"` (the hierarchical and the k-means++
#'   starts, the best kept), `"kmeans"`, `"random"`, `"hc"`, a vector of
#'   labels or a matrix of posterior probabilities; see "Starting points".
#' @param n_init Number of starting partitions drawn for `"auto"`,
#'   `"kmeans"` and `"random"` starts; the best fit is kept.
#' @param max_iter Maximum number of EM iterations.  A second number, as in
#'   [mclust::emControl()]'s `itmax`, limits the inner iterations of the
#'   models whose M-step has no closed form, per M-step.  By default 1e5 when
#'   `reg = 0` (mclust sets no limit; some of its fits need more than 1000)
#'   and 1000 with a ridge, where components held up by the ridge can make
#'   them crawl.  `Inf` removes the limit; a fit whose inner iterations never
#'   converge then runs until interrupted (they check for interrupts).
#' @param tol Convergence tolerance on the relative change of the
#'   log-likelihood (with `init = "hc"`, mclust's `1e-5` unless given).  A
#'   second number, as in [mclust::emControl()], sets the tolerance of the
#'   inner iterations of the models whose M-step has no
#'   closed form (`"VEI"`, `"VEE"`, `"EVE"`, `"VVE"`, `"VEV"`; default
#'   `sqrt(.Machine$double.eps)`).
#' @param reg Non-negative ridge added to the diagonal of every covariance
#'   estimate, or `NULL` (default) for `1e-10` times the covariance matrix of
#'   the data (with `init = "hc"`, `0` unless given).
#' @param criterion Model selection criterion, `"bic"`, `"icl"` or `"aic"`;
#'   all are on the scale where lower is better.
#' @param threads Number of threads; by default [emgmm_threads()]
#'   (`getOption("emgmm.threads")`, or else every processor, within
#'   `OMP_THREAD_LIMIT`).  Never more than the number of processors are used.
#'   Results are identical whatever the number of threads.  For data on a
#'   cluster these are this session's threads (the starts); the workers use
#'   the `threads` given to [gmm_distribute()] or [gmm_shards()].
#' @param verbose If `TRUE`, report each (k, model) pair, the screening of
#'   its starts and the log-likelihood at every iteration of the fits that
#'   are continued.
#' @param hc_subset For `init = "auto"` and `"hc"`: the rows the
#'   hierarchical clustering runs on.  `NULL` (default) means all rows when
#'   there are at most 2000, else 2000 drawn at random (as mclust does); a
#'   number asks for that many rows drawn at random (all of them when it is
#'   at least `n`); a vector of row indices or a logical vector chooses them.
#' @param weights `NULL` (default) or one non-negative finite weight per
#'   row of `x`, not all zero: frequency weights (a weight of 2 counts the
#'   row twice); see "Observation weights".  `n` in the criteria is their
#'   sum.  For data on a cluster, one weight per row in row order: each
#'   worker holds its rows' weights for the fit.
#' @param na_action What to do with missing values (`NA`, `NaN`) in `x`:
#'   `"fail"` (default) is an input error; `"em"` fits every observed value
#'   inside EM; `"omit"` drops incomplete rows.  See "Missing values".
#'   Data on a cluster are treated alike, on the workers.
#' @param ... Not used; anything given here is an error (so that misspelt
#'   arguments are caught).
#'
#' @return An object of class `"emgmm"`: a list with the fields described in
#'   [emgmm-object].
#' @seealso [predict.emgmm()], [summary.emgmm()], [simulate.emgmm()].
#' @references Celeux, G. and Govaert, G. (1995). Gaussian parsimonious
#'   clustering models. *Pattern Recognition*, 28(5), 781-793.
#'
#'   Banfield, J. D. and Raftery, A. E. (1993). Model-based Gaussian and
#'   non-Gaussian clustering. *Biometrics*, 49(3), 803-821.
#'
#'   Fraley, C. (1998). Algorithms for model-based Gaussian hierarchical
#'   clustering. *SIAM Journal on Scientific Computing*, 20(1), 270-281.
#'
#'   Flury, B. N. and Gautschi, W. (1986). An algorithm for simultaneous
#'   orthogonal transformation of several positive definite symmetric
#'   matrices to nearly diagonal form. *SIAM Journal on Scientific and
#'   Statistical Computing*, 7(1), 169-184.
#'
#'   Browne, R. P. and McNicholas, P. D. (2014). Estimating common principal
#'   components in high dimensions. *Advances in Data Analysis and
#'   Classification*, 8(2), 217-226.
#'
#'   Scrucca, L., Fop, M., Murphy, T. B. and Raftery, A. E. (2016). mclust 5:
#'   clustering, classification and density estimation using Gaussian finite
#'   mixture models. *The R Journal*, 8(1), 289-317.
#' @examples
#' fit <- gmm_fit(series, k = 3, threads = 1)
#' fit
#' predict(fit, c(25, 38, 44), type = "posterior")
#'
#' # selection over k and models on two variables
#' sel <- gmm_fit(faithful, k = 1:4, model = c("VVV", "EEE", "VII"), threads = 1)
#' sel$selection
#' @export
gmm_fit <- function(x, k = 1:9, model = "VVV", init = "auto", n_init = 10L,
                    max_iter = 1000L, tol = 1e-8, reg = NULL,
                    criterion = c("bic", "icl", "aic"), threads = emgmm_threads(),
                    verbose = FALSE, hc_subset = NULL, weights = NULL,
                    na_action = c("fail", "em", "omit"), ...) {
  call <- match.call()
  ecall <- sys.call()
  check_dots(list(...), ecall)
  na_action <- if (missing(na_action)) "fail" else
    check_choice(na_action, na_choices, "na_action", ecall)
  distributed <- is_distributed(x)
  all_data <- if (distributed) check_distributed(x, ecall) else
    as_data_matrix(x, ecall, allow_na = na_action != "fail")
  weights_all <- weights <- check_weights(weights, nrow(all_data), ecall)
  # weights that are not counts are scaled to a mean of 1 for the engine
  # (whose thresholds count weight as rows), and the log-likelihood and n
  # are scaled back: the fit does not depend on their scale
  weight_scale <- weight_unit(weights)
  if (weight_scale != 1) weights <- weights / weight_scale
  used <- if (distributed) NULL else fit_rows(all_data, weights, na_action, ecall)
  data <- if (distributed) all_data else used$data
  if (distributed && !is.null(weights)) {
    # the workers hold their rows' weights for this fit
    data <- weigh_on_workers(data, weights, ecall)
    on.exit(weigh_on_workers(data, NULL, NULL), add = TRUE)
  }
  if (!distributed) weights <- used$weights
  if (distributed) data <- distributed_na_action(data, na_action, ecall)
  variances <- check_spread(data, ecall)
  models <- resolve_models(model, ncol(data), ecall)
  criterion <- check_choice(criterion, c("bic", "icl", "aic"), "criterion", ecall)
  start <- check_init(init, k, missing(k), data, ecall, n_user = nrow(all_data))
  n_init <- check_count(n_init, "n_init", ecall)
  settings <- fit_settings(start$type, max_iter, tol, reg, threads, verbose, data, variances,
                           !missing(tol), !missing(reg), ecall)
  settings$weight_scale <- weight_scale
  check_distinct(data, start$ks, ecall)
  threads <- settings$engine$threads

  start$user <- user_start_rows(start$user, used)
  # with missing values the starts are computed on other rows (start_rows())
  srows <- if (!distributed) start_rows(data, weights, max(start$ks)) else
    distributed_start_rows(data, weights, max(start$ks), ecall)
  sdata <- if (is.null(srows)) data else srows$data
  # hc_subset names rows of x: as rows of the data the starts run on
  seen <- if (distributed) srows$data$view else {
    r <- used$rows
    if (identical(srows$how, "complete")) r <- (if (is.null(r)) seq_len(nrow(data)) else r)[srows$rows]
    r
  }
  hc_subset <- translate_hc_subset(hc_subset, nrow(all_data), seen)
  plan <- start_plan(sdata, start, n_init, hc_subset, threads, ecall,
                     weights = if (is.null(srows)) weights else srows$weights)
  plan$start_rows <- if (!identical(srows$how, "omit")) srows
  # rows with missing values grouped by pattern once, for every pair's fit
  if (!distributed && !is.null(srows)) plan$layout <- missing_layout_cpp(data, weights)
  # data on a cluster: the starts are computed on rows fetched from it
  local <- if (is_distributed(data) && !is.null(plan$local_rows)) {
    src_rows(sdata, plan$local_rows)
  } else sdata
  candidates <- list()
  for (kk in start$ks) {
    set <- starts_for(plan, local, kk)
    for (m in models) {
      if (settings$verbose) message(sprintf("Fitting k = %d, model %s", kk, m))
      candidates[[length(candidates) + 1L]] <- fit_pair(data, kk, m, set, plan, local, settings,
                                                        ecall, weights)
    }
  }
  selection <- selection_table(candidates)
  fit <- candidates[[best_pair(selection, criterion, data, ecall)]]
  fit$warnings <- fit_warnings(fit, settings$engine$max_iter, data, ecall)
  if (is_distributed(data)) {
    # the posteriors stay with the data; the components' sizes come back
    fit$sizes <- distributed_predict(list(parameters = fit, k = fit$k), data, "sizes",
                                     "gather", ecall)
  } else {
    # every row of x gets its posterior (rows of weight zero, and rows with
    # missing values from their observed coordinates), but with
    # na_action = "omit" only the rows fitted
    out_rows <- if (na_action == "omit" && !is.null(used$rows)) {
      which(rowSums(is.na(all_data)) == 0L)
    }
    out_data <- if (is.null(out_rows)) all_data else all_data[out_rows, , drop = FALSE]
    fit$posterior <- predict_cpp(out_data, fit$proportions, fit$means, fit$covariances, TRUE,
                                 threads)$posterior
    fit[c("classification", "uncertainty")] <- classify(fit$posterior)
  }
  eng <- settings$engine
  obj <- new_emgmm(
    fit = fit, data = if (distributed) data else out_data, criterion = criterion,
    selection = if (nrow(selection) > 1L) selection else NULL,
    control = list(init = start$type,
                   n_init = if (start$type %in% c("auto", "kmeans", "random")) n_init else 1L,
                   hc_subset = if (!is.null(plan$hc_rows)) length(plan$hc_rows),
                   screen_rows = if (!is.null(plan$rows)) length(plan$rows),
                   max_iter = eng$max_iter, inner_max_iter = eng$inner_max_iter,
                   tol = eng$tol, inner_tol = eng$inner_tol,
                   reg = eng$reg, reg_default = settings$reg_default, threads = threads,
                   na_action = na_action,
                   start_rows = if (!is.null(srows)) srows$how),
    call = call
  )
  obj$n <- data_n(data, weight_scale)
  obj$weights <- if (!is.null(weights_all) && !distributed && !is.null(out_rows)) {
    weights_all[out_rows]
  } else weights_all
  obj$missing <- if (!distributed) {
    list(values = used$missing, rows = used$incomplete, dropped = used$dropped)
  } else if (all_data$moments$missing > 0) {
    list(values = all_data$moments$missing, rows = NA_integer_, dropped = 0L)
  }
  validate_emgmm(obj)
}
