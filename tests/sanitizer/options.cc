// Default sanitizer options for the test and fuzz executables of a sanitizer
// build (CRM_SANITIZE), compiled in so that they apply however the binary is
// started (CTest, test discovery, by hand). ASAN_OPTIONS, UBSAN_OPTIONS and
// LSAN_OPTIONS in the environment still override them.
//
// The suppressions files next to this one list every suppressed report and
// why; CRM_SANITIZER_DIR is their folder.

extern "C" {

const char* __asan_default_options() {
  return "strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:"
         "strict_init_order=1:detect_leaks=1";
}

const char* __ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1:suppressions=" CRM_SANITIZER_DIR "/ubsan.supp";
}

const char* __lsan_default_options() {
  return "suppressions=" CRM_SANITIZER_DIR "/lsan.supp";
}

}  // extern "C"
