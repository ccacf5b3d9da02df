# Covariance models: names (mclust's), scikit-learn aliases, and resolution
# against the dimension of the data.  The mathematics of each model lives in
# the C++ engine (src/engine/models.cpp); this file only deals with names.

univariate_models <- c("E", "V")
multivariate_models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE",
                         "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")
model_aliases <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")

model_descriptions <- c(
  E = "univariate, equal variance",
  V = "univariate, unequal variance",
  EII = "spherical, equal volume",
  VII = "spherical, unequal volume",
  EEI = "diagonal, equal volume and shape",
  VEI = "diagonal, varying volume, equal shape",
  EVI = "diagonal, equal volume, varying shape",
  VVI = "diagonal, varying volume and shape",
  EEE = "ellipsoidal, equal volume, shape and orientation",
  VEE = "ellipsoidal, equal shape and orientation",
  EVE = "ellipsoidal, equal volume and orientation",
  VVE = "ellipsoidal, equal orientation",
  EEV = "ellipsoidal, equal volume and shape",
  VEV = "ellipsoidal, equal shape",
  EVV = "ellipsoidal, equal volume",
  VVV = "ellipsoidal, varying volume, shape and orientation"
)

# Resolves user model names for data of dimension d: aliases, "all", and the
# univariate forms (for d = 1 every model is E or V, by its volume letter).
resolve_models <- function(model, d, call = NULL) {
  if (!is.character(model) || length(model) == 0L || anyNA(model)) {
    abort_input(sprintf("`model` must be a character vector of model names, not %s.",
                        describe(model)), call)
  }
  out <- character()
  for (m in model) {
    key <- if (m %in% c(names(model_aliases), "all")) m else toupper(m)
    if (key == "all") {
      out <- c(out, if (d == 1L) univariate_models else multivariate_models)
      next
    }
    if (key %in% names(model_aliases)) key <- model_aliases[[key]]
    if (!key %in% c(univariate_models, multivariate_models)) {
      abort_input(sprintf(paste0(
        "`model` must be one of mclust's model names (%s), an alias (%s) or \"all\", ",
        "not %s."),
        paste(c(univariate_models, multivariate_models), collapse = ", "),
        paste(names(model_aliases), collapse = ", "), describe(m)), call)
    }
    if (d == 1L) {
      key <- substr(key, 1L, 1L)
    } else if (key %in% univariate_models) {
      abort_input(sprintf(paste0(
        "`model` \"%s\" is for univariate data, but `x` has %d columns; ",
        "use a multivariate model such as \"%s\"."),
        key, d, if (key == "E") "EEE" else "VVV"), call)
    }
    out <- c(out, key)
  }
  unique(out)
}
