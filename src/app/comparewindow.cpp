// SPDX-License-Identifier: MIT
#include "app/comparewindow.h"

#include "app/chartstyle.h"
#include "app/countertile.h"
#include "app/ratechartview.h"

#include <QChart>
#include <QChartView>
#include <QCloseEvent>
#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <tuple>

namespace Clickscope {
namespace {

QString number(const QJsonObject &o, const char *key)
{
    return QLocale().toString(o.value(QLatin1String(key)).toInteger());
}

QString stateName(StreamSource::State state, const QString &error)
{
    if (!error.isEmpty())
        return QObject::tr("error: %1").arg(error);
    switch (state) {
    case StreamSource::State::Connecting:
        return QObject::tr("connecting…");
    case StreamSource::State::Open:
        return QObject::tr("open");
    case StreamSource::State::Closed:
        return QObject::tr("closed");
    }
    return {};
}

// The window pairs as `watch --compare` does by default.
const double kSettleSeconds = double(EventMatcher::Settings{}.settleMs) / 1000.0;

QString signedNumber(qint64 n) { return n > 0 ? u'+' + QLocale().toString(n) : QLocale().toString(n); }

}   // namespace

CompareWindow::CompareWindow(QWidget *parent) : QWidget(parent, Qt::Window)
{
    setWindowTitle(tr("Compare two streams — Clickscope"));
    setObjectName(QStringLiteral("compareWindow"));
    auto *layout = new QVBoxLayout(this);

    auto *form = new QGridLayout;
    for (int i = 0; i < 2; ++i) {
        auto *label = new QLabel(QStringLiteral("[%1]").arg(i + 1), this);
        m_urls[std::size_t(i)] = new QLineEdit(this);
        m_urls[std::size_t(i)]->setPlaceholderText(i == 0 ? tr("http://… or ws://… (the stream to compare)")
                                                          : tr("http://… or ws://… (the stream it should agree with)"));
        m_urls[std::size_t(i)]->setClearButtonEnabled(true);
        label->setBuddy(m_urls[std::size_t(i)]);
        m_states[std::size_t(i)] = new QLabel(this);
        m_states[std::size_t(i)]->setTextFormat(Qt::PlainText);
        m_states[std::size_t(i)]->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("connecting……")));
        form->addWidget(label, i, 0);
        form->addWidget(m_urls[std::size_t(i)], i, 1);
        form->addWidget(m_states[std::size_t(i)], i, 2);
        connect(m_urls[std::size_t(i)], &QLineEdit::returnPressed, this, &CompareWindow::compare);
    }
    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Pair clicks by"), this));
    m_key = new QComboBox(this);
    m_key->addItem(tr("id (the click's, else the event's)"), int(EventMatcher::Key::Id));
    m_key->addItem(tr("event id"), int(EventMatcher::Key::EventId));
    m_key->addItem(tr("link and time"), int(EventMatcher::Key::LinkAndTime));
    controls->addWidget(m_key);
    controls->addStretch();
    m_compareButton = new QPushButton(tr("&Compare"), this);
    m_compareButton->setDefault(true);
    connect(m_compareButton, &QPushButton::clicked, this, [this] { m_comparing ? stop() : compare(); });
    controls->addWidget(m_compareButton);
    form->addLayout(controls, 2, 1, 1, 2);
    form->setColumnStretch(1, 1);
    layout->addLayout(form);
    // Server-made text (an error, a link) is shown as it is, never as markup.
    m_message = new QLabel(this);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
    layout->addWidget(m_message);

    auto *tiles = new QHBoxLayout;
    for (CounterTile *tile :
         {addTile(tr("Clicks [1]"),
                  tr("Clicks the first stream delivered once the second had begun, and earlier ones the second "
                     "delivered too (against a snapshot stream: the clicks seen happening)")),
          addTile(tr("Clicks [2]"), tr("Clicks the second stream delivered, counted the same way")),
          addTile(tr("Difference"), tr("[1] less [2]")),
          addTile(tr("Missing in [2]"), tr("Clicks of [1] that [2] did not deliver within %1 s").arg(kSettleSeconds)),
          addTile(tr("Missing in [1]"), tr("Clicks of [2] that [1] did not deliver within %1 s").arg(kSettleSeconds)),
          addTile(tr("Lag of [2]"),
                  tr("How much later [2] delivers the same click than [1]: the median of the latest pairs"))})
        tiles->addWidget(tile);
    layout->addLayout(tiles);
    m_detail = new QLabel(this);
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_detail);

    m_chart = new QChart;
    m_chart->setTitle(tr("Clicks per second, last %1 s").arg(ComparisonPipeline::kSeriesSeconds));
    auto *axisX = new QValueAxis(m_chart);
    axisX->setRange(-ComparisonPipeline::kSeriesSeconds, 0);
    axisX->setLabelFormat(QStringLiteral("%d s"));
    m_axisY = new QValueAxis(m_chart);
    m_axisY->setRange(0, RateChartView::niceYMax(0));
    m_axisY->setLabelFormat(QStringLiteral("%d"));
    m_chart->addAxis(axisX, Qt::AlignBottom);
    m_chart->addAxis(m_axisY, Qt::AlignLeft);
    for (int i = 0; i < 2; ++i) {
        auto *series = new QLineSeries(m_chart);
        series->setName(QStringLiteral("[%1]").arg(i + 1));
        m_chart->addSeries(series);
        series->attachAxis(axisX);
        series->attachAxis(m_axisY);
        m_series[std::size_t(i)] = series;
    }
    // Two streams that agree draw the same line: [2] is dashed over a wider [1], so both show.
    QPen first = m_series[0]->pen();
    first.setWidthF(4);
    m_series[0]->setPen(first);
    QPen second = m_series[1]->pen();
    second.setWidthF(2);
    second.setStyle(Qt::DashLine);
    m_series[1]->setPen(second);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    auto *chartView = new QChartView(m_chart, this);
    chartView->setRenderHint(QPainter::Antialiasing);
    chartView->setMinimumHeight(200);
    styleChart(m_chart, palette());
    layout->addWidget(chartView, 3);

    m_linksTitle = new QLabel(tr("Links whose counts differ"), this);
    layout->addWidget(m_linksTitle);
    m_links = new QTableWidget(0, 4, this);
    m_links->setHorizontalHeaderLabels({tr("Link"), tr("[1]"), tr("[2]"), tr("Difference")});
    m_links->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_links->verticalHeader()->hide();
    m_links->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_links->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_links->setMinimumHeight(120);
    layout->addWidget(m_links, 2);

    connect(&m_pipeline, &ComparisonPipeline::snapshotReady, this,
            [this](const ComparisonSnapshotPtr &snapshot) { applySnapshot(*snapshot); });
    resize(980, 700);
}

CompareWindow::~CompareWindow() = default;

CounterTile *CompareWindow::addTile(const QString &title, const QString &toolTip)
{
    auto *tile = new CounterTile(title, this);
    tile->setToolTipText(toolTip);
    tile->setValueText(QStringLiteral("–"));
    m_tiles.append(tile);
    return tile;
}

void CompareWindow::setFirst(const StreamRequest &request)
{
    m_requests[0] = request;
    m_urls[0]->setText(streamUrlText(request.config.url));
}

void CompareWindow::setSecond(const StreamRequest &request)
{
    m_requests[1] = request;
    m_urls[1]->setText(streamUrlText(request.config.url));
}

void CompareWindow::setSecondUrl(const QString &url)
{
    m_requests[1] = {};
    m_urls[1]->setText(url);
}

void CompareWindow::compare()
{
    std::array<SourceConfig, 2> configs;
    for (std::size_t i = 0; i < 2; ++i) {
        const QString typed = m_urls[i]->text().trimmed();
        if (const SourceConfig &given = m_requests[i].config; !given.url.isEmpty() && typed == given.url.toString())
            configs[i] = given;
        configs[i].url = streamUrlFromText(typed);
        if (const Result<void> usable = checkStreamUrl(configs[i].url); !usable) {
            m_message->setText(QStringLiteral("[%1] ").arg(i + 1) + usable.error());
            m_urls[i]->setFocus();
            return;
        }
    }
    m_message->clear();
    EventMatcher::Settings matching;
    matching.key = EventMatcher::Key(m_key->currentData().toInt());
    m_pipeline.start(configs[0], configs[1], m_requests[0].mapping, matching);
    m_comparing = true;
    m_compareButton->setText(tr("&Stop"));
    for (CounterTile *tile : m_tiles)
        tile->setValueText(QStringLiteral("–"));
    m_links->setRowCount(0);
    m_detail->clear();
}

void CompareWindow::stop()
{
    m_pipeline.stop();
    m_comparing = false;
    m_compareButton->setText(tr("&Compare"));
}

QString CompareWindow::tileText(const QString &title) const
{
    for (const CounterTile *tile : m_tiles) {
        if (tile->title() == title)
            return tile->valueText();
    }
    return {};
}

QString CompareWindow::detailText() const { return m_detail->text(); }

QString CompareWindow::urlText(int side) const { return m_urls[std::size_t(side & 1)]->text(); }

void CompareWindow::applySnapshot(const ComparisonSnapshot &snapshot)
{
    showStates(snapshot);
    const QJsonObject &report = snapshot.report;
    const QJsonObject clicks = report.value(QStringLiteral("clicks")).toObject();
    m_tiles[0]->setValueText(number(clicks, "a"));
    m_tiles[1]->setValueText(number(clicks, "b"));
    m_tiles[2]->setValueText(signedNumber(clicks.value(QStringLiteral("difference")).toInteger()));
    if (report.value(QStringLiteral("mode")).toString() == u"counts") {
        const QJsonObject history = report.value(QStringLiteral("history")).toObject();
        for (int i = 3; i < 6; ++i)
            m_tiles[i]->setValueText(tr("n/a"));
        m_detail->setText(tr("Counts compared%1: a snapshot stream sends totals, not one event per click. Before "
                             "watching, [1] had %2 clicks and [2] %3.")
                              .arg(report.contains(QStringLiteral("link"))
                                       ? tr(" for %1").arg(report.value(QStringLiteral("link")).toString())
                                       : QString(),
                                   number(history, "a"), number(history, "b")));
    } else {
        const QJsonObject m = report.value(QStringLiteral("matching")).toObject();
        const QJsonObject a = m.value(QStringLiteral("a")).toObject(), b = m.value(QStringLiteral("b")).toObject();
        m_tiles[3]->setValueText(number(a, "missingInOther"));
        m_tiles[4]->setValueText(number(b, "missingInOther"));
        const QJsonObject lag = m.value(QStringLiteral("lagMs")).toObject();
        m_tiles[5]->setValueText(lag.isEmpty()
                                     ? QStringLiteral("–")
                                     : tr("%1 ms").arg(lag.value(QStringLiteral("median")).toDouble(), 0, 'f', 1));
        const auto onlyIn = [](const QJsonObject &side, const QString &other) {
            return tr("%1 not yet in %2, %3 from before %2 started, %4 out of the window, %5 without a key")
                .arg(number(side, "notYetInOther"), other, number(side, "beforeOtherStarted"),
                     number(side, "outOfWindow"), number(side, "unkeyed"));
        };
        // Streams seldom begin at the same moment: what one delivered before the other began is
        // left out of the counts, and said first, so that the counts are not misread.
        QString began;
        for (const auto &[side, self, other] : {std::tuple{a, QStringLiteral("[1]"), QStringLiteral("[2]")},
                                                std::tuple{b, QStringLiteral("[2]"), QStringLiteral("[1]")}}) {
            if (const qint64 early = side.value(QStringLiteral("beforeOtherStarted")).toInteger(); early > 0)
                began += tr("%1 delivered %2 clicks before %3 began: they are not counted above. ")
                             .arg(self, QLocale().toString(early), other);
        }
        m_detail->setText(began
                          + tr("%1 clicks paired by %2. Only in [1]: %3. Only in [2]: %4.")
                                .arg(number(m, "matched"), m.value(QStringLiteral("key")).toString(),
                                     onlyIn(a, QStringLiteral("[2]")), onlyIn(b, QStringLiteral("[1]"))));
    }
    showChart(snapshot);
    showLinks(report);
}

void CompareWindow::showStates(const ComparisonSnapshot &snapshot)
{
    for (std::size_t i = 0; i < 2; ++i)
        m_states[i]->setText(stateName(snapshot.states[i], snapshot.errors[i]));
}

void CompareWindow::showChart(const ComparisonSnapshot &snapshot)
{
    double top = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const QList<double> &values = snapshot.clicksPerSecond[i];
        QList<QPointF> points;
        points.reserve(values.size());
        // The last point is the last whole second, at 0 on the axis.
        for (qsizetype k = 0; k < values.size(); ++k) {
            points.append(QPointF(double(k - values.size() + 1), values[k]));
            top = std::max(top, values[k]);
        }
        m_series[i]->replace(points);
    }
    m_axisY->setMax(RateChartView::rescaledMax(m_axisY->max(), top));
}

void CompareWindow::showLinks(const QJsonObject &report)
{
    const QJsonArray rows = report.value(QStringLiteral("linkDifferences")).toArray();
    m_linksTitle->setText(rows.isEmpty() && report.value(QStringLiteral("mode")).toString() == u"events"
                              ? tr("Links whose counts differ: none")
                              : tr("Links whose counts differ"));
    m_links->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        const QJsonObject row = rows[r].toObject();
        const QStringList cells{row.value(QStringLiteral("link")).toString(), number(row, "a"), number(row, "b"),
                                signedNumber(row.value(QStringLiteral("difference")).toInteger())};
        for (int c = 0; c < 4; ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_links->setItem(r, c, item);
        }
    }
}

void CompareWindow::closeEvent(QCloseEvent *event)
{
    stop();
    QWidget::closeEvent(event);
}

void CompareWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        styleChart(m_chart, palette());
    QWidget::changeEvent(event);
}

}   // namespace Clickscope
