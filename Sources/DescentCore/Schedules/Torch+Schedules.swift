// Torch+Schedules.swift — the torch convention's learning-rate schedules.
import DescentJSON

let torchSchedules: [ScheduleEntry] = [
]
