# Runs `code` while a forked child sends this process SIGINT (Ctrl-C) after
# `after` seconds.  Returns what happened ("interrupt" when the interrupt
# reached R as an interrupt condition, "finished" when `code` ended first)
# and the seconds from the signal to the answer.  `code` must run well
# past `after`; the signal is always absorbed here, never by testthat.
under_interrupt <- function(code, after = 0.5) {
  parent <- Sys.getpid()
  sent <- NULL
  parallel::mcparallel({
    Sys.sleep(after)
    tools::pskill(parent, tools::SIGINT)
  }, detached = TRUE)
  start <- proc.time()[["elapsed"]]
  got <- tryCatch({
    force(code)
    # the fit ended before the signal: wait for it here
    Sys.sleep(after + 5)
    "finished"
  }, interrupt = function(e) "interrupt")
  list(got = got, seconds = proc.time()[["elapsed"]] - start - after)
}
