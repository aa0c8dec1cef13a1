# PCRE2, utf8proc, SQLite and SLEEF as the imported targets PkgConfig::PCRE2, PkgConfig::UTF8PROC,
# PkgConfig::SQLITE3 and PkgConfig::SLEEF: through pkg-config when it is installed, else by searching for the
# header and library (machines with a pip torch and no pkg-config, e.g. GPU build hosts).
find_package(PkgConfig QUIET)

function(privtune_find_c_library name pc_module header library)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(${name} QUIET IMPORTED_TARGET ${pc_module})
  endif()
  if(TARGET PkgConfig::${name})
    return()
  endif()
  find_path(${name}_INCLUDE_DIR ${header})
  find_library(${name}_LIBRARY ${library})
  if(NOT ${name}_INCLUDE_DIR OR NOT ${name}_LIBRARY)
    message(FATAL_ERROR "${pc_module} not found: install its -dev package (scripts/setup)")
  endif()
  add_library(PkgConfig::${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(PkgConfig::${name} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES ${${name}_INCLUDE_DIR}
    INTERFACE_LINK_LIBRARIES ${${name}_LIBRARY})
endfunction()

privtune_find_c_library(PCRE2 libpcre2-8 pcre2.h pcre2-8)
privtune_find_c_library(UTF8PROC libutf8proc utf8proc.h utf8proc)
privtune_find_c_library(SQLITE3 sqlite3 sqlite3.h sqlite3)
privtune_find_c_library(SLEEF sleef sleef.h sleef)
