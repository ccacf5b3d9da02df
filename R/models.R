# Covariance models: the names users may give (mclust's, scikit-learn's
# aliases, "all") resolved against the dimension of the data.  The list of
# models, their descriptions, their number of parameters and their
# mathematics live in the C++ engine (src/engine/models.cpp); R reads the
# table from there.

model_aliases <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")

# The engine's table of models: name, univariate, description (one row per
# model, mclust's order), read once per session.
model_table <- local({
  table <- NULL
  function() {
    if (is.null(table)) table <<- models_cpp()
    table
  }
})

model_names <- function(univariate) {
  tab <- model_table()
  tab$name[tab$univariate == univariate]
}

model_description <- function(model) {
  tab <- model_table()
  tab$description[match(model, tab$name)]
}

# Resolves user model names for data of dimension d: aliases, "all", and the
# univariate forms (for d = 1 every model is E or V, by its volume letter).
# Every name is matched ignoring case: "vvv", "Full", "TIED", "ALL".
resolve_models <- function(model, d, call = NULL) {
  if (!is.character(model) || length(model) == 0L || anyNA(model)) {
    abort_input(sprintf("`model` must be a character vector of model names, not %s.",
                        describe(model)), call)
  }
  univariate <- model_names(TRUE)
  multivariate <- model_names(FALSE)
  out <- character()
  for (m in model) {
    key <- tolower(m)
    if (key == "all") {
      out <- c(out, if (d == 1L) univariate else multivariate)
      next
    }
    key <- if (key %in% names(model_aliases)) model_aliases[[key]] else toupper(m)
    if (!key %in% c(univariate, multivariate)) {
      abort_input(sprintf(paste0(
        "`model` must be one of mclust's model names (%s), an alias (%s) or \"all\", ",
        "not %s."),
        paste(c(univariate, multivariate), collapse = ", "),
        paste(names(model_aliases), collapse = ", "), describe(m)), call)
    }
    if (d == 1L) {
      key <- substr(key, 1L, 1L)
    } else if (key %in% univariate) {
      abort_input(sprintf(paste0(
        "`model` \"%s\" is for univariate data, but `x` has %d columns; ",
        "use a multivariate model such as \"%s\"."),
        key, d, if (key == "E") "EEE" else "VVV"), call)
    }
    out <- c(out, key)
  }
  unique(out)
}
