// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>

#include <limits>
#include <optional>

namespace Clickscope {

// A whole number in [min, max] written in `text` (surrounding spaces allowed), or nothing.
std::optional<qint64> wholeNumberIn(const QString &text, qint64 min, qint64 max);

// Reads numeric command-line options by one rule and one wording, for the CLI and the
// benchmarks: an option that is not given leaves `out` alone, unless the option has a default
// value, which is read like a given one; one given with a bad value is a
// usage error that names the option and the accepted range ("--port needs a whole number from
// 0 to 65535, not 'x'"). The first error is kept; later reads are skipped.
//
//     OptionReader read(parser);
//     read.wholeNumber(port, 0, 65535, settings.port);
//     read.seconds(timeout, 1, 3600, settings.timeoutMs);
//     if (const Result<void> ok = read.result(); !ok) return usageError(ok.error());
class OptionReader
{
public:
    static constexpr qint64 kNoMax = std::numeric_limits<qint64>::max();

    explicit OptionReader(const QCommandLineParser &parser) : m_parser(parser) {}

    // A whole number in [min, max], stored in `out` (any integer type that holds max).
    template<typename T>
    void wholeNumber(const QCommandLineOption &option, qint64 min, qint64 max, T &out)
    {
        if (const std::optional<qint64> value = whole(option, min, max))
            out = T(*value);
    }
    // Whole seconds in [min, max], stored as milliseconds.
    void wholeSeconds(const QCommandLineOption &option, qint64 min, qint64 max, int &outMs)
    {
        if (const std::optional<qint64> value = whole(option, min, max))
            outMs = int(*value * 1000);
    }
    // A finite number in [min, max].
    void number(const QCommandLineOption &option, double min, double max, double &out);
    // A replay's speed: N times the recorded pace (kMinPace to kMaxPace), or "max", stored as 0: as
    // fast as possible.
    static constexpr double kMinPace = 0.001;
    static constexpr double kMaxPace = 1e6;
    void pace(const QCommandLineOption &option, double &out);
    // A finite number above 0, when given (nullopt when not).
    std::optional<double> positiveNumber(const QCommandLineOption &option);
    // The whole number of an option, when given and valid.
    std::optional<qint64> whole(const QCommandLineOption &option, qint64 min, qint64 max);

    // Success, or the first problem met.
    Result<void> result() const;

private:
    bool given(const QCommandLineOption &option) const
    {
        return m_error.isEmpty() && (m_parser.isSet(option) || !option.defaultValues().isEmpty());
    }
    void refuse(const QCommandLineOption &option, const QString &needs);

    const QCommandLineParser &m_parser;
    QString m_error;
};

}   // namespace Clickscope
