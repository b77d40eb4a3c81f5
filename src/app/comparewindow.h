// SPDX-License-Identifier: MIT
#pragma once

#include "app/streamrequest.h"
#include "core/compare/comparisonpipeline.h"

#include <QWidget>

#include <array>

class QChart;
class QComboBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QTableWidget;
class QValueAxis;

namespace Clickscope {

class CounterTile;

// Two streams that should carry the same clicks, side by side: their clicks, the difference, the
// clicks each lacks, the lag between them, both rates on one chart and the links whose counts
// differ (see StreamComparison). A window of its own, so the dashboard stays as it is beside it.
class CompareWindow : public QWidget
{
    Q_OBJECT
public:
    explicit CompareWindow(QWidget *parent = nullptr);
    ~CompareWindow() override;

    // Stream [1] as the main window reads it (its headers and mapping go with it while its URL
    // is left as it is). [2] likewise when it is another of the window's streams (its headers,
    // never [1]'s, which may be another server's secrets), or a URL typed by the user, which gets
    // no headers. Both are read with [1]'s mapping.
    void setFirst(const StreamRequest &request);
    void setSecond(const StreamRequest &request);
    void setSecondUrl(const QString &url);
    // Starts comparing what the fields say; a message under them when a URL is not a stream's.
    void compare();
    void stop();

    // What is shown, for tests.
    void applySnapshot(const ComparisonSnapshot &snapshot);
    QString tileText(const QString &title) const;
    QString detailText() const;
    QString urlText(int side) const;
    QTableWidget *linkTable() const { return m_links; }
    QLineSeries *series(int side) const { return m_series[std::size_t(side)]; }
    QLabel *messageLabel() const { return m_message; }
    bool isComparing() const { return m_comparing; }

protected:
    void changeEvent(QEvent *event) override;
    // Closed, it lets both streams go: a hidden window reads nothing.
    void closeEvent(QCloseEvent *event) override;

private:
    CounterTile *addTile(const QString &title, const QString &toolTip);
    void showStates(const ComparisonSnapshot &snapshot);
    void showChart(const ComparisonSnapshot &snapshot);
    void showLinks(const QJsonObject &report);

    ComparisonPipeline m_pipeline;
    std::array<StreamRequest, 2> m_requests;
    std::array<QLineEdit *, 2> m_urls{};
    std::array<QLabel *, 2> m_states{};
    QComboBox *m_key = nullptr;
    QPushButton *m_compareButton = nullptr;
    QLabel *m_message = nullptr;
    QList<CounterTile *> m_tiles;
    QLabel *m_detail = nullptr;
    QChart *m_chart = nullptr;
    std::array<QLineSeries *, 2> m_series{};
    QValueAxis *m_axisY = nullptr;
    QLabel *m_linksTitle = nullptr;
    QTableWidget *m_links = nullptr;
    bool m_comparing = false;
};

}   // namespace Clickscope
