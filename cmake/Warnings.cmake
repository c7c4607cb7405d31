# Strict warnings, each checked before use (cJSON's way), so an older or
# different compiler still builds.
include(CheckCCompilerFlag)
set(NC_WARNING_FLAGS
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wcast-qual -Wwrite-strings -Wundef -Wpointer-arith
  -Wnull-dereference -Wdouble-promotion -Wvla -Wimplicit-fallthrough)
foreach(flag ${NC_WARNING_FLAGS})
  string(MAKE_C_IDENTIFIER "HAS${flag}" var)
  check_c_compiler_flag(${flag} ${var})
  if(${var})
    add_compile_options(${flag})
  endif()
endforeach()
if(NC_WERROR)
  add_compile_options(-Werror)
endif()
