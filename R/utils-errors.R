# Classed conditions.  Every error about an argument is an `emgmm_error_input`
# raised with the user-facing call, so callers can catch it with
# tryCatch(..., emgmm_error_input = ...).

emgmm_condition <- function(class, message, call, data = list()) {
  structure(
    class = c(class, "condition"),
    c(list(message = message, call = call), data)
  )
}

abort_input <- function(message, call = NULL) {
  stop(emgmm_condition(c("emgmm_error_input", "emgmm_error", "error"), message, call))
}

abort_fit <- function(message, call = NULL, data = list()) {
  stop(emgmm_condition(c("emgmm_error_fit", "emgmm_error", "error"), message, call, data))
}

warn_convergence <- function(message, call = NULL) {
  warning(emgmm_condition(c("emgmm_warning_convergence", "emgmm_warning", "warning"),
                          message, call))
}

warn_input <- function(message, call = NULL) {
  warning(emgmm_condition(c("emgmm_warning_input", "emgmm_warning", "warning"),
                          message, call))
}

warn_degenerate <- function(message, call = NULL) {
  warning(emgmm_condition(c("emgmm_warning_degenerate", "emgmm_warning", "warning"),
                          message, call))
}

# How a value looks in an error message: "1.5", "a character vector", ...
# Objects of other classes are named by their class ("a Date", "a POSIXct",
# "a difftime", "an S4 object of class \"dgeMatrix\""), never by the type
# they are stored as: a Date is not "a double vector".
describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.function(x)) return("a function")
  if (is.data.frame(x)) return("a data frame")
  if (is.factor(x)) return("a factor")
  if (isS4(x)) return(sprintf("an S4 object of class \"%s\"", class(x)[1L]))
  if (is.object(x)) return(sprintf("%s %s", article(class(x)[1L]), class(x)[1L]))
  if (is.list(x)) return("a list")
  if (is.matrix(x)) return(sprintf("%s %s matrix", article(typeof(x)), typeof(x)))
  if (length(x) == 0L) return(sprintf("an empty %s vector", typeof(x)))
  if (length(x) == 1L && is.atomic(x)) {
    if (is.character(x)) return(encodeString(x, quote = "\""))
    return(format(x))
  }
  sprintf("%s %s vector of length %d", article(typeof(x)), typeof(x), length(x))
}

article <- function(word) if (grepl("^[aeiouAEIOU]", word)) "an" else "a"

