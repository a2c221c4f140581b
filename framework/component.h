#pragma once
// The common base of everything a plugin creates. Its out-of-line virtual
// destructor anchors the type information in the framework library, so that
// the host can dynamic_cast a plugin's object to its interface.
namespace gos {

class Component {
 public:
  virtual ~Component();
};

}  // namespace gos
