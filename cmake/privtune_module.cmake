# privtune_module(NAME [TORCH] DEPS dep...)
# A static library from every .cpp in the current folder. TORCH modules link libtorch and
# share one precompiled header (src/privtune/pch/torch_pch.h).
function(privtune_module name)
  cmake_parse_arguments(ARG "TORCH" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(target privtune_${name})
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${target} PRIVATE ${PRIVTUNE_WARNINGS})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  if(ARG_TORCH)
    target_link_libraries(${target} PUBLIC torch)
    if(TARGET privtune_torch_pch)
      target_precompile_headers(${target} REUSE_FROM privtune_torch_pch)
    else()
      target_precompile_headers(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src/privtune/pch/torch_pch.h)
    endif()
  endif()
endfunction()

# privtune_test(MODULE deps...): one GoogleTest program per test folder.
function(privtune_test name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(target test_${name})
  add_executable(${target} ${sources} ${PROJECT_SOURCE_DIR}/tests/common/test_main.cpp)
  privtune_executable(${target})
  target_compile_definitions(${target} PRIVATE
    PRIVTUNE_SOURCE_DIR="${PROJECT_SOURCE_DIR}" PRIVTUNE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
  target_link_libraries(${target} PRIVATE ${ARGN} privtune_core GTest::gtest)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${name})
endfunction()

# privtune_executable(TARGET): what every project executable shares; under PRIVTUNE_SANITIZE,
# the sanitizers' default settings, so that tests and the processes they start agree.
function(privtune_executable target)
  target_compile_options(${target} PRIVATE ${PRIVTUNE_WARNINGS})
  if(PRIVTUNE_SANITIZE)
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/cmake/sanitizer_defaults.cpp)
  endif()
endfunction()
