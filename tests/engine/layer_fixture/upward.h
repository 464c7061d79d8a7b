// A core header that reaches up into the runtime: the include check must refuse it.
#pragma once

#include "engine/runtime/runtime.h"
