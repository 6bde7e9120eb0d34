"""A small PyTorch file for LoRA Lens to read (it is parsed, never run here).

A width-16 ReLU MLP built with nn.Sequential, the same network as a module class, and a PEFT
LoraConfig. LoRA Lens shows the rank each module needs for exact representation
(Zeng & Lee, ICLR 2024) next to these lines.
"""
import torch
from torch import nn
from peft import LoraConfig, get_peft_model

WIDTH = 16
DEPTH = 4
TARGET_DEPTH = 2

frozen = nn.Sequential(
    nn.Linear(16, 16),
    nn.ReLU(),
    nn.Linear(16, 16),
    nn.ReLU(),
    nn.Linear(16, 16),
    nn.ReLU(),
    nn.Linear(16, 16),
    nn.ReLU(),
)


class TinyAttention(nn.Module):
    """One attention block's projections, named like Llama's so target_modules can find them."""

    def __init__(self, width: int = WIDTH):
        super().__init__()
        self.q_proj = nn.Linear(width, width, bias=False)
        self.k_proj = nn.Linear(width, width, bias=False)
        self.v_proj = nn.Linear(width, width, bias=False)
        self.o_proj = nn.Linear(width, width, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = torch.softmax(q @ k.transpose(-2, -1) / WIDTH ** 0.5, dim=-1)
        return self.o_proj(scores @ v)


config = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"])
model = get_peft_model(TinyAttention(), config)
