// Default settings of AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer, linked
// into every executable of a PRIVTUNE_SANITIZE build (cmake/privtune_module.cmake). They
// live in the programs rather than in the environment so that the processes the tests start
// (`privtune train` from a sweep, say) run under the same settings. The environment
// variables ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS still override them.
// See docs/sanitizers.md.

extern "C" {

const char* __asan_default_options() {
  // Leaks fail a run; globals read before their initializer ran are reported.
  return "detect_leaks=1:check_initialization_order=1:strict_string_checks=1";
}

const char* __ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1";
}

}  // extern "C"
