# Sanitizers apply to everything built here, third-party headers included,
# so a bounds bug in a parser is caught wherever the bytes flow.
if(SLUICE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  # The worker's seccomp filter lets the sanitizer runtimes work (src/isolation).
  add_compile_definitions(SLUICE_SANITIZED)
endif()
if(SLUICE_LIBFUZZER)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(SLUICE_SANITIZED)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_definitions(__cpp_concepts=202002L)
  add_compile_options(-Wno-macro-redefined)
endif()
