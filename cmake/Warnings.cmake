function(sluice_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # libstdc++ 12 hides <expected> from clang < 19, which reports
    # __cpp_concepts 201907; clang 16 implements what <expected> needs
    # (see docs/adr/0002-fuzzing-with-clang-16.md).
    target_compile_options(${target} PRIVATE -Wno-macro-redefined)
  endif()
endfunction()
