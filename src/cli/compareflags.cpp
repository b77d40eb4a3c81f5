// SPDX-License-Identifier: MIT
#include "cli/compareflags.h"

#include "core/options/optionreader.h"

namespace Clickscope::Cli {
namespace {

constexpr double kMaxSettleSeconds = 86400;

}   // namespace

CompareFlags::CompareFlags()
    : m_key(
        QStringLiteral("compare-key"),
        QStringLiteral("What pairs two clicks: id (the click's id, else its event id; default), event-id, link-ts."),
        QStringLiteral("KEY"))
    , m_window(QStringLiteral("compare-window"),
               QStringLiteral("Unpaired clicks kept per stream while waiting for their partner (default %1).")
                   .arg(EventMatcher::Settings{}.window),
               QStringLiteral("N"))
    , m_settle(QStringLiteral("compare-settle"),
               QStringLiteral("Seconds the other stream has to deliver a click before it counts as missing "
                              "(default %1).")
                   .arg(double(EventMatcher::Settings{}.settleMs) / 1000.0),
               QStringLiteral("S"))
{}

void CompareFlags::addTo(QCommandLineParser &parser) const { parser.addOptions({m_key, m_window, m_settle}); }

bool CompareFlags::anySet(const QCommandLineParser &parser) const
{
    return parser.isSet(m_key) || parser.isSet(m_window) || parser.isSet(m_settle);
}

QString CompareFlags::names() { return QStringLiteral("--compare-key, --compare-window and --compare-settle"); }

Result<EventMatcher::Settings> CompareFlags::read(const QCommandLineParser &parser) const
{
    EventMatcher::Settings settings;
    if (parser.isSet(m_key)) {
        const auto key = EventMatcher::keyNamed(parser.value(m_key));
        if (!key)
            return unexpected(
                QStringLiteral("--compare-key: '%1' is not one of id, event-id, link-ts").arg(parser.value(m_key)));
        settings.key = *key;
    }
    OptionReader read(parser);
    read.wholeNumber(m_window, EventMatcher::kMinWindow, EventMatcher::kMaxWindow, settings.window);
    double settleSeconds = double(settings.settleMs) / 1000.0;
    read.number(m_settle, 0, kMaxSettleSeconds, settleSeconds);
    settings.settleMs = qint64(settleSeconds * 1000.0);
    if (Result<void> ok = read.result(); !ok)
        return unexpected(ok.error());
    return settings;
}

}   // namespace Clickscope::Cli
