# Duktape (ES5.1 interpreter) for running the scripts of HTML and SVG documents
# (src/formats/html, docs/adr/0012-html-script-execution.md). Built from the
# source Debian's duktape-dev ships, with three configuration options switched
# on that the packaged libduktape.so lacks: the interrupt counter and the
# execution-timeout hook, so a script that spins is stopped by Sluice's step
# and time budget instead of running until the scan's deadline; and Sluice's
# own Math.random, so a page that writes random numbers into what it builds
# gives the same artifacts, and the same hashes, every time it is scanned
# (Duktape seeds its generator from the clock); and Sluice's own clock, time
# zone and date parsing, so a page reads the time its message arrived, in UTC,
# the same on every scan and every machine (docs/adr/0043).
set(SLUICE_DUKTAPE_SOURCE_DIR /usr/share/duktape CACHE PATH "duktape.c, duktape.h and duk_config.h (Debian duktape-dev)")
foreach(f duktape.c duktape.h duk_config.h)
  if(NOT EXISTS ${SLUICE_DUKTAPE_SOURCE_DIR}/${f})
    message(FATAL_ERROR "${SLUICE_DUKTAPE_SOURCE_DIR}/${f} not found: apt-get install duktape-dev")
  endif()
endforeach()

set(_duk_dir ${CMAKE_BINARY_DIR}/duktape)
configure_file(${SLUICE_DUKTAPE_SOURCE_DIR}/duktape.c ${_duk_dir}/duktape.c COPYONLY)
configure_file(${SLUICE_DUKTAPE_SOURCE_DIR}/duktape.h ${_duk_dir}/duktape.h COPYONLY)
file(READ ${SLUICE_DUKTAPE_SOURCE_DIR}/duk_config.h _duk_cfg)
set(_duk_clock_opts "#undef DUK_USE_DATE_GET_NOW" "#undef DUK_USE_GET_MONOTONIC_TIME"
  "#undef DUK_USE_DATE_GET_LOCAL_TZOFFSET" "#undef DUK_USE_DATE_PARSE_STRING")
foreach(opt "#undef DUK_USE_INTERRUPT_COUNTER" "#undef DUK_USE_EXEC_TIMEOUT_CHECK" "#undef DUK_USE_GET_RANDOM_DOUBLE"
            ${_duk_clock_opts})
  string(FIND "${_duk_cfg}" "${opt}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "duk_config.h has no '${opt}' line: a Duktape this build does not know")
  endif()
endforeach()
set(_duk_extern "#if defined(__cplusplus)\nextern \"C\"\n#else\nextern\n#endif\n")
string(REPLACE "#undef DUK_USE_INTERRUPT_COUNTER" "#define DUK_USE_INTERRUPT_COUNTER" _duk_cfg "${_duk_cfg}")
string(REPLACE "#undef DUK_USE_EXEC_TIMEOUT_CHECK"
  "${_duk_extern}int sluice_duk_exec_timeout(void *udata);\n#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) sluice_duk_exec_timeout(udata)"
  _duk_cfg "${_duk_cfg}")
string(REPLACE "#undef DUK_USE_GET_RANDOM_DOUBLE"
  "${_duk_extern}double sluice_duk_random(void *udata);\n#define DUK_USE_GET_RANDOM_DOUBLE(udata) sluice_duk_random(udata)"
  _duk_cfg "${_duk_cfg}")
string(REPLACE "#undef DUK_USE_DATE_GET_NOW"
  "${_duk_extern}double sluice_duk_now(void *thr);\n#define DUK_USE_DATE_GET_NOW(ctx) sluice_duk_now((void *) (ctx))"
  _duk_cfg "${_duk_cfg}")
string(REPLACE "#undef DUK_USE_GET_MONOTONIC_TIME"
  "${_duk_extern}double sluice_duk_monotonic(void *thr);\n#define DUK_USE_GET_MONOTONIC_TIME(ctx) sluice_duk_monotonic((void *) (ctx))"
  _duk_cfg "${_duk_cfg}")
string(REPLACE "#undef DUK_USE_DATE_GET_LOCAL_TZOFFSET"
  "#define DUK_USE_DATE_GET_LOCAL_TZOFFSET(d) ((void) (d), 0)"
  _duk_cfg "${_duk_cfg}")
string(REPLACE "#undef DUK_USE_DATE_PARSE_STRING"
  "${_duk_extern}int sluice_duk_parse_date(void *thr, const char *str);\n#define DUK_USE_DATE_PARSE_STRING(ctx,str) sluice_duk_parse_date((void *) (ctx), (str))"
  _duk_cfg "${_duk_cfg}")
file(WRITE ${_duk_dir}/duk_config.h.new "${_duk_cfg}")
configure_file(${_duk_dir}/duk_config.h.new ${_duk_dir}/duk_config.h COPYONLY)

add_library(sluice_duktape OBJECT ${_duk_dir}/duktape.c)
target_include_directories(sluice_duktape SYSTEM PUBLIC ${_duk_dir})
# Third-party C: its warnings are not ours to fix.
target_compile_options(sluice_duktape PRIVATE -w)
set_target_properties(sluice_duktape PROPERTIES C_STANDARD 99 POSITION_INDEPENDENT_CODE ON)
# Duktape computes `base + 0` on objects with no property table yet (NULL base,
# e.g. duk_hobject_props.c): harmless in practice, but UBSan's pointer-overflow
# check aborts on it, which the html fuzzer reported for any page with a timer
# callback. Every other sanitizer check (and ASan) stays on for it.
if(SLUICE_SANITIZE OR SLUICE_LIBFUZZER)
  target_compile_options(sluice_duktape PRIVATE -fno-sanitize=pointer-overflow)
endif()
