# Every file a test runs must exist: a missing one stops the configuration, so a test can never
# be skipped (or registered without its script) in silence.
#   idmap_require_test_file(PATH): PATH must exist.
#   idmap_require_listed_files(LIST_FILE): every ${CMAKE_CURRENT_SOURCE_DIR}/NAME.{py,sh,c}
#     written in LIST_FILE must exist next to it.
# Also runs alone, for its own test: cmake -DLIST_FILE=F -P tests/require_files.cmake

function(idmap_require_test_file path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "test file missing: ${path} (a test names it; restore it or drop the test)")
  endif()
endfunction()

function(idmap_require_listed_files list_file)
  get_filename_component(dir "${list_file}" DIRECTORY)
  file(READ "${list_file}" text)
  string(REGEX MATCHALL "\\\${CMAKE_CURRENT_SOURCE_DIR}/[A-Za-z0-9_./-]+" refs "${text}")
  list(FILTER refs INCLUDE REGEX "[.](py|sh|c)$")
  foreach(ref IN LISTS refs)
    string(REPLACE "\${CMAKE_CURRENT_SOURCE_DIR}" "${dir}" path "${ref}")
    idmap_require_test_file("${path}")
  endforeach()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED LIST_FILE)
  idmap_require_listed_files("${LIST_FILE}")
endif()
