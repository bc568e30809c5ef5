# How tikstat's targets are made: the warnings every target compiles with,
# and tikstat_layer(), the static library of one layer of the daemon.
#
# A layer links what it uses, foreign libraries PRIVATE unless one of its
# public headers needs them: what a layer may use is what it links. The
# compiler cannot stop an #include of a header on the system path, so
# tests/layers/check_layers.py checks every #include against the links and
# against its table of layers.

# The warnings, linked PRIVATE by every target built from this tree (not
# global compile options, so that a target built from others' code, or a
# consumer of ours, does not inherit them).
add_library(tikstat_warnings INTERFACE)
add_library(tikstat::warnings ALIAS tikstat_warnings)
target_compile_options(tikstat_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
  -Wno-unused-parameter
  $<$<BOOL:${TIKSTAT_WERROR}>:-Werror>)

# tikstat_layer(NAME SOURCE...): the static library tikstat_NAME, used as
# tikstat::NAME, of the sources in the calling directory, whose headers
# are found there. The caller links its dependencies. In a TIKSTAT_FUZZ
# build the library carries libFuzzer's coverage hooks, so that the
# fuzzers get feedback from the code under test, not only from themselves.
function(tikstat_layer name)
  add_library(tikstat_${name} STATIC ${ARGN})
  add_library(tikstat::${name} ALIAS tikstat_${name})
  target_include_directories(tikstat_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(tikstat_${name} PRIVATE tikstat::warnings)
  if(TIKSTAT_FUZZ)
    target_compile_options(tikstat_${name} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
