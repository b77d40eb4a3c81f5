// SPDX-License-Identifier: MIT
#include "core/options/optionreader.h"

#include <cmath>

namespace Clickscope {

std::optional<qint64> wholeNumberIn(const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    if (ok && value >= min && value <= max)
        return value;
    return std::nullopt;
}

std::optional<qint64> OptionReader::whole(const QCommandLineOption &option, qint64 min, qint64 max)
{
    if (!given(option))
        return std::nullopt;
    if (const std::optional<qint64> value = wholeNumberIn(m_parser.value(option), min, max))
        return value;
    if (max == kNoMax)
        refuse(option, min == 1 ? QStringLiteral("a positive whole number")
                                : QStringLiteral("a whole number from %1 on").arg(min));
    else
        refuse(option, QStringLiteral("a whole number from %1 to %2").arg(min).arg(max));
    return std::nullopt;
}

void OptionReader::number(const QCommandLineOption &option, double min, double max, double &out)
{
    if (!given(option))
        return;
    bool ok = false;
    const double value = m_parser.value(option).toDouble(&ok);
    if (ok && std::isfinite(value) && value >= min && value <= max)
        out = value;
    else
        refuse(option, QStringLiteral("a number from %1 to %2").arg(min).arg(max, 0, 'f', 0));
}

void OptionReader::pace(const QCommandLineOption &option, double &out)
{
    if (!given(option))
        return;
    if (m_parser.value(option).trimmed() == u"max") {
        out = 0;
        return;
    }
    bool ok = false;
    const double value = m_parser.value(option).toDouble(&ok);
    if (ok && std::isfinite(value) && value >= kMinPace && value <= kMaxPace)
        out = value;
    else
        refuse(option, QStringLiteral("a number from %1 to %2 or max").arg(kMinPace).arg(kMaxPace, 0, 'f', 0));
}

std::optional<double> OptionReader::positiveNumber(const QCommandLineOption &option)
{
    if (!given(option))
        return std::nullopt;
    bool ok = false;
    const double value = m_parser.value(option).toDouble(&ok);
    if (ok && std::isfinite(value) && value > 0)
        return value;
    refuse(option, QStringLiteral("a positive number"));
    return std::nullopt;
}

Result<void> OptionReader::result() const
{
    if (!m_error.isEmpty())
        return unexpected(m_error);
    return {};
}

void OptionReader::refuse(const QCommandLineOption &option, const QString &needs)
{
    m_error = QStringLiteral("--%1 needs %2, not '%3'").arg(option.names().constLast(), needs, m_parser.value(option));
}

}   // namespace Clickscope
