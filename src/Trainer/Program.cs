// The training worker (DINOv2 pretraining and distillation jobs) is not built yet: it arrives with the
// training issues. Until then this process says so and exits, rather than pretending to accept jobs.
Console.Error.WriteLine("embedding-trainer: no training job types are implemented yet (pretrain/distil arrive with the training issues).");
return 1;
