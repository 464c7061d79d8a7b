// Fixture for the include check: this header must be refused.
#pragma once
#include <vector>
#include <boost/asio.hpp>
