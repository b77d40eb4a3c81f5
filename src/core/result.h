// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <cassert>
#include <concepts>
#include <optional>
#include <utility>

// How a function that can fail says why: it returns a Result, which holds either its value or
// an error (a message by default, or a struct such as a publish error with the field it is
// about). One convention for the whole code base, checked by the compiler ([[nodiscard]]).
// The member names are std::expected's (C++23), so moving to it later is a rename.
//
//     Result<FieldMapping> parse(...) { ...; return unexpected(u"'%1' is not a field"_s); }
//     if (const auto mapping = parse(specs)) use(*mapping); else show(mapping.error());
namespace Clickscope {

template<typename E>
struct Unexpected
{
    E error;
};

template<typename E>
Unexpected<std::decay_t<E>> unexpected(E &&error)
{
    return {std::forward<E>(error)};
}

template<typename T, typename E = QString>
class [[nodiscard]] Result
{
public:
    Result(const T &value) : m_value(value) {}
    Result(T &&value) : m_value(std::move(value)) {}
    template<typename U>
    requires std::convertible_to<U, E> Result(Unexpected<U> failure) : m_error(std::move(failure.error)) {}

    bool has_value() const { return m_value.has_value(); }
    explicit operator bool() const { return has_value(); }

    T &value() &
    {
        assert(has_value());
        return *m_value;
    }
    const T &value() const &
    {
        assert(has_value());
        return *m_value;
    }
    T &&value() &&
    {
        assert(has_value());
        return std::move(*m_value);
    }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T &&operator*() && { return std::move(*this).value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    template<typename U>
    T value_or(U &&fallback) const &
    {
        return has_value() ? *m_value : T(std::forward<U>(fallback));
    }

    // Only meaningful when there is no value.
    const E &error() const { return m_error; }

private:
    std::optional<T> m_value;
    E m_error{};
};

// For operations that produce nothing but can fail: `return {};` is success.
template<typename E>
class [[nodiscard]] Result<void, E>
{
public:
    Result() = default;
    template<typename U>
    requires std::convertible_to<U, E> Result(Unexpected<U> failure) : m_failed(true), m_error(std::move(failure.error))
    {}

    bool has_value() const { return !m_failed; }
    explicit operator bool() const { return has_value(); }
    const E &error() const { return m_error; }

private:
    bool m_failed = false;
    E m_error{};
};

}   // namespace Clickscope
