// CardRoutes: which card routes a customer's events, for cards that are not
// their customer's route card (a linked second card, a replacement, a merged
// customer's card). Learned, not loaded: a card it does not know is routed
// by itself, and the shard that loads it finds the customer's route card in
// the store and hands the event on (Shard::Resolve), teaching this map. So
// an entry that is missing or stale costs one hop, never correctness: a
// customer's state is only ever held by their route card's shard.
//
// Thread safety: every method from any thread.
#pragma once

#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace loyalty {

class CardRoutes {
 public:
  // The route card for `card`: itself unless learned otherwise.
  std::string Route(const std::string& card) const {
    std::shared_lock lock(mu_);
    auto it = routes_.find(card);
    return it == routes_.end() ? card : it->second;
  }
  void Learn(const std::string& card, const std::string& route) {
    std::unique_lock lock(mu_);
    if (card == route) {
      routes_.erase(card);
    } else {
      routes_[card] = route;
    }
  }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::string> routes_;
};

}  // namespace loyalty
