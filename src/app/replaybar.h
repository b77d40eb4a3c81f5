// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"

#include <QFrame>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace Clickscope {

// The transport of a replayed recording, above the dashboard: a banner that says it is a
// recording and not a live stream, play and pause, the speed (1×, 10×, 100×, as fast as
// possible), and a position slider with elapsed and total time. While a move plays the recording
// as fast as possible up to the chosen point, it says how far along that is.
class ReplayBar : public QFrame
{
    Q_OBJECT
public:
    // The speeds offered; 0 is as fast as possible.
    static constexpr double kSpeeds[] = {1, 10, 100, 0};

    explicit ReplayBar(QWidget *parent = nullptr);

    // The recording shown, for the banner: `path` as the user chose it, and whether it was
    // imported (from a HAR), with what the import said.
    void setRecording(const QString &path, bool imported, const QStringList &importNotes);
    // Where it stands; the slider follows unless the user holds it.
    void showPosition(const ReplayPosition &position);

    // "1:05", "1:02:03": a position or duration as the bar shows it.
    static QString timeText(qint64 ns);

    QLabel *banner() const { return m_banner; }
    QToolButton *playButton() const { return m_play; }
    QComboBox *speedCombo() const { return m_speed; }
    QSlider *slider() const { return m_slider; }
    QLabel *timeLabel() const { return m_time; }
    QLabel *progressLabel() const { return m_progress; }

signals:
    void pauseRequested(bool paused);
    void speedChosen(double speed);
    void seekRequested(qint64 positionNs);

private:
    static constexpr int kSliderSteps = 1000;

    QLabel *m_banner;
    QToolButton *m_play;
    QComboBox *m_speed;
    QSlider *m_slider;
    QLabel *m_time;
    QLabel *m_progress;
    qint64 m_durationNs = 0;
    bool m_paused = false;
};

}   // namespace Clickscope
